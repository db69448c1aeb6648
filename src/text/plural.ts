/** `1 item`, `2 items`, `0 items`: a count and its noun, agreeing. `many` for nouns not made with -s. */
export function plural(count: number, noun: string, many = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : many}`;
}
