/**
 * The BullMQ prefix to use: on a Redis Cluster every key of a queue must hash to one slot, so the
 * prefix is wrapped in a `{hash tag}` (BullMQ's advice for clusters) unless it already is one. Run
 * records, item links and deployment state all start with the queue's prefix, so the scripts that
 * touch them together find them on one node.
 */
export function clusterSafePrefix(prefix: string, cluster: boolean): string {
  if (!cluster || /^\{[^}]+\}$/.test(prefix)) return prefix;
  return `{${prefix}}`;
}
