const UNIT_MS = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `90s`, `30m`, `24h`, `7d` (also `1.5h`) in milliseconds; undefined when `text` is not such a
 * duration or is not positive. A bare number is refused: "24" could be hours or seconds.
 */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)\s*$/i.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2]!.toLowerCase() as keyof typeof UNIT_MS];
  return ms > 0 ? Math.round(ms) : undefined;
}
