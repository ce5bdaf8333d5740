/**
 * A model's tokenizer.json through the Rust tokenizers library, the special tokens its folder defines
 * (BOS, EOS ids, the tokenizer's eos_token) and its Jinja chat template.
 */
package org.lorafleet.trainer.tokenizer;
