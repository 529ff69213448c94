// Checkpoints: the ceremony's Ed25519 key signs the chain head, so rewriting history (even re-hashing every
// later event) is detected up to the last checkpoint. The signed message is ASCII:
//
//   byok-audit-checkpoint/v1 LF <seq of the head event> LF <head hash, 64 lower-case hex>
import { ed25519Verify } from '../ed25519.ts';

export interface CheckpointSigner {
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export interface CheckpointData {
  algorithm: 'Ed25519';
  headSeq: number;
  head: string;
  publicKey: string;
  signature: string;
}

export function checkpointMessage(headSeq: number, head: string): Uint8Array {
  return new TextEncoder().encode(`byok-audit-checkpoint/v1\n${headSeq}\n${head}`);
}

export function signCheckpoint(signer: CheckpointSigner, headSeq: number, head: string): CheckpointData {
  const signature = signer.sign(checkpointMessage(headSeq, head));
  return { algorithm: 'Ed25519', headSeq, head, publicKey: toHex(signer.publicKey), signature: toHex(signature) };
}

export function checkpointSignatureValid(data: Partial<CheckpointData>): boolean {
  if (data.algorithm !== 'Ed25519' || typeof data.head !== 'string' || typeof data.headSeq !== 'number') return false;
  if (typeof data.publicKey !== 'string' || typeof data.signature !== 'string') return false;
  try {
    return ed25519Verify(fromHex(data.signature), checkpointMessage(data.headSeq, data.head), fromHex(data.publicKey));
  } catch {
    return false; // not hex
  }
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error('not hex');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
