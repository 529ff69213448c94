import { describe, expect, it } from 'vitest';
import { PGP_EVEN_WORDS, PGP_ODD_WORDS, hexToPgpWords, toPgpWords } from '../../../../main/core/plan/pgp-words.ts';

describe('PGP word list', () => {
  it('has 256 distinct words in each table and no word in both', () => {
    expect(PGP_EVEN_WORDS).toHaveLength(256);
    expect(PGP_ODD_WORDS).toHaveLength(256);
    expect(new Set([...PGP_EVEN_WORDS, ...PGP_ODD_WORDS].map((word) => word.toLowerCase())).size).toBe(512);
  });

  it('maps the published corner values', () => {
    expect(PGP_EVEN_WORDS[0x00]).toBe('aardvark');
    expect(PGP_ODD_WORDS[0x00]).toBe('adroitness');
    expect(PGP_EVEN_WORDS[0xff]).toBe('Zulu');
    expect(PGP_ODD_WORDS[0xff]).toBe('Yucatan');
    expect(PGP_EVEN_WORDS[0x80]).toBe('merit');
    expect(PGP_ODD_WORDS[0x80]).toBe('intention');
    expect(PGP_EVEN_WORDS[0x5a]).toBe('enlist');
    expect(PGP_ODD_WORDS[0xa5]).toBe('paperweight');
  });

  it('reads even positions with the even table and odd positions with the odd table', () => {
    // The example from the PGP word list's published description: E582 94F2 E9A2 2748 6E8B 061B 31CC 528F D7FA 3F19
    expect(hexToPgpWords('e58294f2e9a227486e8b061b31cc528fd7fa3f19')).toBe(
      'topmost Istanbul Pluto vagabond treadmill Pacific brackish dictator goldfish Medusa afflict bravado chatter revolver Dupont midsummer stopwatch whimsical cowbell bottomless',
    );
    expect(toPgpWords(new Uint8Array([0xff, 0xff, 0x00]))).toEqual(['Zulu', 'Yucatan', 'aardvark']);
  });
});
