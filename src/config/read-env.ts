/** Reads an environment variable, trimmed; '' counts as unset (as openai-node's readEnv does). */
export function readEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
