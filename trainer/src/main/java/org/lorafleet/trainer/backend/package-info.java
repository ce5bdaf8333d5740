/**
 * Choosing ND4J's backend (model.backend: cpu | cuda | auto): what this build contains, which GPUs
 * the machine has, and whether ND4J's CUDA binaries hold code for them; and, on the CPU, which of the
 * shipped libnd4j builds (oneDNN + AVX-512, AVX2, generic) this CPU runs best ({@link NativeBuild}); how
 * many threads one caller gives ND4J and BLAS ({@link NativeThreads}).
 */
package org.lorafleet.trainer.backend;
