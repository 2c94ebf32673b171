/** "1 request", "3 requests"; `plural` for a noun that does not just take an s ("1 memory", "2 memories"). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
