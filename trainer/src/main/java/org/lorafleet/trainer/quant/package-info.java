/**
 * Calibration-free quantisation of frozen 2-D weights, as in QLoRA: the base model is stored in
 * 8 or 4 bits and dequantised to float32 for one GEMM at a time, while the LoRA adapters train in
 * float32.
 *
 * <ul>
 *   <li>{@code int8}: symmetric, one absmax scale per output channel.
 *   <li>{@code nf4}: 4-bit NormalFloat (Dettmers, Pagnoni, Holtzman, Zettlemoyer, "QLoRA: Efficient
 *       Finetuning of Quantized LLMs", 2023): groups of 64 values along the input dimension, one
 *       absmax per group, each value the nearest of 16 quantiles of a normal distribution scaled
 *       to [-1, 1] (the bitsandbytes table).
 *   <li>{@code int4}: plain asymmetric 4-bit, groups of 64 along the input dimension with a scale
 *       and an integer zero point each.
 *   <li>Double quantisation (QLoRA §3, "Double Quantization"): the 4-bit formats' fp32 group scales
 *       are themselves stored in 8 bits, in blocks of 256 after subtracting their mean.
 * </ul>
 *
 * <p>{@link org.lorafleet.trainer.quant.Quantizer} is the entry point; every form implements
 * {@link org.lorafleet.trainer.nn.FrozenWeight}. Codes live off the Java heap (ND4J byte arrays);
 * scales, zero points and double-quantisation state are small heap arrays.
 */
package org.lorafleet.trainer.quant;
