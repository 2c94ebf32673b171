import * as fs from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a tiny BERT-shaped model folder, in the layout transformers.js loads, so tests run the
 * real transformers.js + onnxruntime path without downloading anything. The "model" is one
 * Gather: each token id looks up its row of an embedding table. Every vocabulary word owns one
 * axis, so after mean pooling texts that share words point the same way and texts with no word
 * in common are nearly orthogonal (they share only the [CLS]/[SEP] axis).
 */
export interface TinyModel {
  /** `<modelsDir>/<model>`. */
  folder: string;
  /** Width of the embedding table: what the embedder must report as its dims. */
  dims: number;
  words: readonly string[];
}

const TINY_WORDS = [
  'the', 'staging', 'database', 'listens', 'on', 'port', '5433', 'runs', 'db', 'i', 'bought',
  'apples', 'at', 'market', 'deploy', 'with', 'make', 'test', '##s', '##ing', 'build', 'uses',
  'pnpm', 'not', 'npm', 'fruit',
] as const;

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const DIMS = 32;
/** Weight of [CLS], [SEP] and [UNK] on axis 0: keeps every text, even "", off the zero vector. */
const SPECIAL_WEIGHT = 0.25;

/** `weights` names the file: 'fp32' -> onnx/model.onnx, 'q8' -> onnx/model_quantized.onnx. */
export function writeTinyModel(modelsDir: string, model: string, weights: 'fp32' | 'q8' = 'fp32'): TinyModel {
  const folder = join(modelsDir, ...model.split('/'));
  fs.mkdirSync(join(folder, 'onnx'), { recursive: true });
  const vocab = [...SPECIALS, ...TINY_WORDS];
  const file = weights === 'fp32' ? 'model.onnx' : 'model_quantized.onnx';
  fs.writeFileSync(join(folder, 'onnx', file), encodeModel(embeddingTable(vocab)));
  fs.writeFileSync(join(folder, 'config.json'), JSON.stringify(bertConfig(vocab.length), null, 2));
  fs.writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify(tokenizerJson(vocab), null, 2));
  fs.writeFileSync(join(folder, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig(), null, 2));
  return { folder, dims: DIMS, words: TINY_WORDS };
}

/**
 * Row i is token i's vector: [CLS], [SEP] and [UNK] on axis 0, word k on axis k + 1, and [PAD]
 * alone on the last axis, so a padded text moves unless the pooling masks padding out.
 */
function embeddingTable(vocab: string[]): Float32Array {
  const table = new Float32Array(vocab.length * DIMS);
  vocab.forEach((token, row) => {
    if (token === '[CLS]' || token === '[SEP]' || token === '[UNK]') table[row * DIMS] = SPECIAL_WEIGHT;
    if (token === '[PAD]') table[row * DIMS + DIMS - 1] = 1;
    const word = (TINY_WORDS as readonly string[]).indexOf(token);
    if (word >= 0) table[row * DIMS + word + 1] = 1;
  });
  return table;
}

// ---- ONNX protobuf (field numbers from onnx/onnx.proto) ----

const FLOAT = 1;
const INT64 = 7;

function encodeModel(table: Float32Array): Uint8Array {
  const vocabSize = table.length / DIMS;
  const tokenInput = (name: string) => valueInfo(name, INT64, ['batch_size', 'sequence_length']);
  const graph = concat(
    // NodeProto: input 1, output 2, name 3, op_type 4 (Gather on axis 0, the default).
    bytesField(1, concat(stringField(1, 'embeddings'), stringField(1, 'input_ids'), stringField(2, 'last_hidden_state'), stringField(3, 'embed'), stringField(4, 'Gather'))),
    stringField(2, 'tiny-bert'),
    // TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian floats).
    bytesField(5, concat(varintField(1, vocabSize), varintField(1, DIMS), varintField(2, FLOAT), stringField(8, 'embeddings'), bytesField(9, littleEndian(table)))),
    // A BERT export declares all three; transformers.js feeds exactly the declared inputs.
    bytesField(11, tokenInput('input_ids')),
    bytesField(11, tokenInput('attention_mask')),
    bytesField(11, tokenInput('token_type_ids')),
    bytesField(12, valueInfo('last_hidden_state', FLOAT, ['batch_size', 'sequence_length', DIMS])),
  );
  return concat(
    varintField(1, 8), // ir_version
    stringField(2, 'headroom-tests'), // producer_name
    bytesField(7, graph),
    bytesField(8, varintField(2, 13)), // opset_import: default domain, opset 13
  );
}

/** ValueInfoProto{name 1, type 2: TypeProto{tensor_type 1: {elem_type 1, shape 2: {dim 1: {dim_value 1 | dim_param 2}}}}}. */
function valueInfo(name: string, elemType: number, dims: Array<string | number>): Uint8Array {
  const shape = concat(...dims.map((d) => bytesField(1, typeof d === 'number' ? varintField(1, d) : stringField(2, d))));
  const tensorType = concat(varintField(1, elemType), bytesField(2, shape));
  return concat(stringField(1, name), bytesField(2, bytesField(1, tensorType)));
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Wire type 0: a varint value. */
function varintField(field: number, value: number): Uint8Array {
  return concat(varint(field * 8), varint(value));
}

/** Wire type 2: length-delimited bytes (strings and nested messages). */
function bytesField(field: number, bytes: Uint8Array): Uint8Array {
  return concat(varint(field * 8 + 2), varint(bytes.length), bytes);
}

function stringField(field: number, text: string): Uint8Array {
  return bytesField(field, new TextEncoder().encode(text));
}

function littleEndian(values: Float32Array): Uint8Array {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return new Uint8Array(view.buffer);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---- the JSON files next to the weights ----

function bertConfig(vocabSize: number): object {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: DIMS,
    vocab_size: vocabSize,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: DIMS,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pad_token_id: 0,
  };
}

function tokenizerJson(vocab: string[]): object {
  const special = (content: string, id: number) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const ids = (token: string) => ({ id: token, ids: [vocab.indexOf(token)], tokens: [token] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((t) => special(t, vocab.indexOf(t))),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': ids('[CLS]'), '[SEP]': ids('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  };
}

function tokenizerConfig(): object {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
    tokenize_chinese_chars: true,
    strip_accents: null,
  };
}
