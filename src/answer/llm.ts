// The chat model behind LLM mode: any OpenAI-compatible server, with a timeout and limited retries.
import OpenAI from 'openai';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatModel {
  readonly model: string;
  complete(messages: ChatMessage[]): Promise<string>;
}

export interface OpenAIOptions {
  apiKey?: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
  maxRetries?: number;
}

export class OpenAIChat implements ChatModel {
  private readonly client: OpenAI;
  readonly model: string;

  constructor(o: OpenAIOptions) {
    // A local OpenAI-compatible server may need no key; the SDK still wants a value.
    this.client = new OpenAI({ apiKey: o.apiKey || 'not-needed', baseURL: o.baseURL, timeout: o.timeoutMs, maxRetries: o.maxRetries ?? 1 });
    this.model = o.model;
  }

  async complete(messages: ChatMessage[]): Promise<string> {
    const r = await this.client.chat.completions.create({ model: this.model, messages, temperature: 0.2 });
    return r.choices[0]?.message?.content ?? '';
  }
}
