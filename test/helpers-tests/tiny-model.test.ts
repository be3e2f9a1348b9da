// Self-test of the tiny offline model that test/helpers/tiny-model.ts generates, run through transformers.js itself.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTinyModel, type TinyModel } from '../helpers/tiny-model.js';

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

describe('tiny offline BERT model for transformers.js', () => {
  let dir: string;
  let model: TinyModel;
  let extractor: FeatureExtractionPipeline;
  const saved = {
    localModelPath: env.localModelPath,
    allowRemoteModels: env.allowRemoteModels,
    allowLocalModels: env.allowLocalModels,
  };

  const embed = async (texts: string[]) => {
    const out = await extractor(texts, { pooling: 'mean', normalize: true });
    return out.tolist() as number[][];
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiny-model-'));
    model = createTinyModel(dir);

    env.localModelPath = dir;
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    extractor = await pipeline('feature-extraction', model.modelId, { dtype: 'fp32' });
  });

  afterAll(async () => {
    await extractor?.dispose();
    Object.assign(env, saved);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the files of a hub repo, deterministically', () => {
    expect(model.dim).toBe(32);
    expect(model.modelDir).toBe(join(dir, 'isms-test', 'tiny-bert-d32'));
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
      expect(existsSync(join(model.modelDir, f)), f).toBe(true);
    }
    const config = JSON.parse(readFileSync(join(model.modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'bert', hidden_size: 32 });

    const again = createTinyModel(join(dir, 'again'));
    const onnx = (m: TinyModel) => readFileSync(join(m.modelDir, 'onnx/model.onnx'));
    expect(onnx(again).equals(onnx(model))).toBe(true);
  });

  it('tokenizes English security vocabulary and Japanese without [UNK]', () => {
    expect(extractor.tokenizer.tokenize('Backup snapshots, encryption keys & audit logs.')).toEqual([
      'backup', 'snapshots', ',', 'encryption', 'keys', '&', 'audit', 'logs', '.',
    ]);
    expect(extractor.tokenizer.tokenize('データのバックアップを取得する。')).toEqual([
      'データ', '##の', '##バックアップ', '##を', '取', '得', 'する', '。',
    ]);
    expect(extractor.tokenizer.tokenize('zyxwv')).toEqual(['[UNK]']);
  });

  it('returns unit-length mean-pooled embeddings of the configured dimension', async () => {
    const texts = ['backup snapshot', 'restore recovery', 'encryption key', 'how do we delete customer data?'];
    const out = await extractor(texts, { pooling: 'mean', normalize: true });
    expect(out.dims).toEqual([texts.length, model.dim]);
    for (const v of out.tolist() as number[][]) expect(norm(v)).toBeCloseTo(1, 5);
  });

  it('puts related security terms close together', async () => {
    const [backup, restore, crypto, deletion] = await embed([
      'backup snapshot', 'restore recovery', 'encryption key', 'data deletion after contract termination',
    ]);
    expect(dot(backup!, restore!)).toBeGreaterThan(dot(backup!, crypto!));
    expect(dot(backup!, restore!)).toBeGreaterThan(0.7);
    expect(Math.abs(dot(backup!, crypto!))).toBeLessThan(0.4);
    expect(dot(restore!, deletion!)).toBeLessThan(dot(backup!, restore!));
  });

  it('maps Japanese terms onto the same groups', async () => {
    const [ja, backup, crypto] = await embed(['バックアップから復元する', 'backup restore', '暗号鍵']);
    expect(dot(ja!, backup!)).toBeGreaterThan(dot(ja!, crypto!));
  });

  it('ignores padding: a sentence embeds the same alone and in a padded batch', async () => {
    const [alone] = await embed(['audit log']);
    const [padded] = await embed(['audit log', 'the provider must encrypt customer data and keep monitoring logs']);
    alone!.forEach((x, i) => expect(padded![i]).toBeCloseTo(x, 6));
  });
});
