import { SHAPES, SIZE_TIERS, TIER_CLASS_SIZES, TOKEN_BUCKETS, routePixels, routeSize, type Aspect, type SizeRoute } from './size-routing.js';

/** The aspects the table in docs/sizes-and-models.md shows; any `W:H` up to 3:1 works the same way. */
export const TABLE_ASPECTS: readonly Aspect[] = [
  ...Object.entries(SHAPES).map(([label, [width, height]]) => ({ label, width, height })),
  { label: '16:9', width: 16, height: 9 },
  { label: '9:16', width: 9, height: 16 },
  { label: '4:3', width: 4, height: 3 },
  { label: '21:9', width: 21, height: 9 },
];

/**
 * The routing table as Markdown, computed from the constants in size-routing.ts. docs/sizes-and-models.md embeds
 * it between `<!-- size-routing-table -->` markers and test/unit/size-routing.test.ts fails when
 * the two differ (printing the table to paste), so the documentation cannot drift from the code.
 */
export function sizeRoutingTable(): string {
  const header = ['size value', 'pixel budget', ...TABLE_ASPECTS.map((aspect) => (/^\d/.test(aspect.label) ? aspect.label : `${aspect.label} (${aspect.width}:${aspect.height})`))];
  const routes: Array<{ value: string; make: (aspect: Aspect) => SizeRoute; note: string }> = [
    ...SIZE_TIERS.map((tier) => ({ value: tier, make: (aspect: Aspect): SizeRoute => ({ mode: 'legacy', tier, aspect }), note: ` (${TIER_CLASS_SIZES[tier].join('x')} class)` })),
    ...TOKEN_BUCKETS.map((bucket) => ({ value: `tokens:${bucket}`, make: (aspect: Aspect): SizeRoute => ({ mode: 'tokens', bucket, aspect }), note: '' })),
  ];
  const rows = routes.map(({ value, make, note }) => {
    const budget = routePixels(make(TABLE_ASPECTS[0]!));
    const sizes = TABLE_ASPECTS.map((aspect) => {
      const { width, height } = routeSize(make(aspect));
      return `${width}x${height}`;
    });
    return [`\`${value}\``, `${budget.toLocaleString('en-US')}${note}`, ...sizes];
  });
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
