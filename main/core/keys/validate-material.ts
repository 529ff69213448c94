// Refuses material that does not fit its spec, before anything is computed from it or stored.
import { ByokError } from '../../../shared/errors.ts';
import { KEY_SPECS, isKeySpecName, type KeySpecName } from '../../../shared/key-specs.ts';
import { privateKeyFor } from './asymmetric-material.ts';

export function validateMaterial(spec: KeySpecName, material: Uint8Array): void {
  if (!isKeySpecName(spec)) {
    throw new ByokError('KEY_SPEC_INVALID', `Unknown key spec ${String(spec)}. Use one of the key specs listed by \`byok keys generate --help\`.`);
  }
  if (!(material instanceof Uint8Array)) {
    throw new ByokError('KEY_SPEC_INVALID', `The ${spec} key material is not a byte array.`, { spec });
  }
  const details = KEY_SPECS[spec];
  if (details.kind === 'symmetric') {
    if (material.length !== details.bytes) {
      throw new ByokError('KEY_SPEC_INVALID', `${spec} key material must be ${details.bytes} bytes, not ${material.length}. Check that the material belongs to this key.`, {
        spec,
        bytes: material.length,
        expectedBytes: details.bytes,
      });
    }
    return;
  }
  // Parsing is the check; the KeyObject is dropped at once (it cannot be zeroed, see asymmetric-material.ts).
  privateKeyFor(spec, material);
}
