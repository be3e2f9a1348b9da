// The chat model behind LLM mode: any OpenAI-compatible server, with a timeout and limited retries.
// The SDK (about 0.1 s to load) is loaded on the first question, not at start-up, and never without an LLM configured.
import type OpenAI from 'openai';

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
  private client?: Promise<OpenAI>;
  readonly model: string;

  constructor(private readonly o: OpenAIOptions) {
    this.model = o.model;
  }

  private sdk(): Promise<OpenAI> {
    // A local OpenAI-compatible server may need no key; the SDK still wants a value.
    this.client ??= import('openai').then(({ default: OpenAI }) => new OpenAI({
      apiKey: this.o.apiKey || 'not-needed', baseURL: this.o.baseURL, timeout: this.o.timeoutMs, maxRetries: this.o.maxRetries ?? 1,
    }));
    return this.client;
  }

  async complete(messages: ChatMessage[]): Promise<string> {
    const client = await this.sdk();
    const r = await client.chat.completions.create({ model: this.model, messages, temperature: 0.2 });
    return r.choices[0]?.message?.content ?? '';
  }
}
