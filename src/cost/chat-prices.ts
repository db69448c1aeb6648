import { formatUsd } from './money.js';
import type { ChatUsage } from '../translation/chat-client.js';

/**
 * USD per million tokens of chat models a translation deployment may serve: OpenAI's list prices
 * (Azure's are set per region and agreement, and the built-in gpt-image-2 prices are OpenAI's too).
 * A model not listed has no price: its cost shows as unknown.
 */
const CHAT_PRICES: ReadonlyMap<string, { inputPerMillionUsd: number; outputPerMillionUsd: number }> = new Map([
  ['gpt-4.1-mini', { inputPerMillionUsd: 0.4, outputPerMillionUsd: 1.6 }],
  ['gpt-4.1-nano', { inputPerMillionUsd: 0.1, outputPerMillionUsd: 0.4 }],
  ['gpt-4.1', { inputPerMillionUsd: 2, outputPerMillionUsd: 8 }],
  ['gpt-4o-mini', { inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 }],
  ['gpt-4o', { inputPerMillionUsd: 2.5, outputPerMillionUsd: 10 }],
]);

/** Tokens one translation request is estimated to take, before it is made: the fixed instructions plus the message. */
export function estimatedTranslationUsage(message: string): ChatUsage {
  return { promptTokens: 260 + Math.ceil(message.length / 3), completionTokens: 12 + message.length };
}

/** Micro-dollars for `usage` on `model`, or undefined when the model has no price. */
export function chatCostMicros(model: string, usage: ChatUsage): number | undefined {
  const prices = CHAT_PRICES.get(model);
  if (!prices) return undefined;
  return Math.round(usage.promptTokens * prices.inputPerMillionUsd + usage.completionTokens * prices.outputPerMillionUsd);
}

/** `$0.0021` or `unknown (no price for model X)`. */
export function formatChatCost(model: string, usage: ChatUsage): string {
  const micros = chatCostMicros(model, usage);
  return micros === undefined ? `unknown (no built-in price for chat model ${model})` : formatUsd(micros);
}
