package org.lorafleet.orchestrator.data;

/** Stable 64-bit hashing (SplitMix64 finalizer) for the seeded shuffle and eval split. */
final class Mix {

  static final long EVAL = 0x6576616c5f73706cL;
  static final long ORDER = 0x6f726465725f6578L;
  static final long BUCKET = 0x6275636b65745f5fL;
  static final long SEQUENCE = 0x73657175656e6365L;

  private Mix() {
  }

  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A hash of (seed, salt, a, b); every argument changes every bit. */
  static long hash(long seed, long salt, long a, long b) {
    long h = mix64(seed + 0x9e3779b97f4a7c15L * salt);
    h = mix64(h ^ mix64(a + 0x632be59bd9b4e019L));
    return mix64(h ^ mix64(b + 0x85157af5d7a4f2bdL));
  }

  /** The hash as a double uniform in [0, 1). */
  static double unit(long h) {
    return (h >>> 11) * 0x1.0p-53;
  }
}
