// Secret material lives in Uint8Arrays owned by one function at a time and is zeroed when done.

export function zeroize(...buffers: Array<Uint8Array | null | undefined>): void {
  for (const buffer of buffers) buffer?.fill(0);
}

/** Runs `use` with `material` and zeroes it afterwards, whether `use` succeeds or throws. */
export async function withMaterial<T>(material: Uint8Array, use: (material: Uint8Array) => Promise<T> | T): Promise<T> {
  try {
    return await use(material);
  } finally {
    material.fill(0);
  }
}

/** Constant-time comparison for check values, tags and material. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
