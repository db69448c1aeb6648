/** One row of a run report: an image, or an item that failed before producing images. */
export interface ReportRow {
  id: string;
  locale: string;
  /** 1-based; empty for a failed item (no variant was produced). */
  variant: number | '';
  /** `created`: generated and stored now; `exists`: already stored, nothing paid; `failed`; `cancelled`: never started. */
  status: 'created' | 'exists' | 'failed' | 'cancelled';
  blobName: string;
  url: string;
  errorCode: string;
  errorMessage: string;
  /** API attempts the item took, 429s not counted. */
  attempts: number;
  /** Manifest line of the row. */
  line: number;
  model: string;
  /** The deployment that generated the image, or whose answer failed the item; empty when no deployment was asked. */
  deployment: string;
  /** The size delivered (or, with no image, the size requested from the API). */
  size: string;
  /** The size as the manifest asked for it: `4096x4096` or `large landscape` where `size` is what was sent. */
  requestedSize: string;
  requestId: string;
  /** The text rendered verbatim; empty when the image model was asked to translate inside the prompt. Absent in rows written before it existed. */
  text?: string;
  /** `manifest` (a supplied cell), `translated` (the translation stage) or `model` (translated by the image model in the prompt). */
  textSource?: 'manifest' | 'translated' | 'model';
  /** The text check (src/text-check): ok, needs_review, unverified or error; absent when not checked. */
  textStatus?: string;
  /** Character error rate of the read-back text against `text`; '' when not measured (no expected text). */
  textCer?: number | '';
  /** The engine that read the text: `tesseract`, `vision:<deployment>`. */
  textEngine?: string;
  /** What the engine read. */
  readText?: string;
  /** `--regenerate-on-mismatch`: the blob name of the flagged image this variant was rendered to replace. */
  regenerationOf?: string;
}

export const REPORT_COLUMNS: ReadonlyArray<keyof ReportRow> = [
  'id',
  'locale',
  'variant',
  'status',
  'blobName',
  'url',
  'errorCode',
  'errorMessage',
  'attempts',
  'line',
  'model',
  'deployment',
  'size',
  'requestedSize',
  'requestId',
  'text',
  'textSource',
  'textStatus',
  'textCer',
  'textEngine',
  'readText',
  'regenerationOf',
];
