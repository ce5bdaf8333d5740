/** Hugging Face tokenizer.json tokenization through the Rust tokenizers library (DJL bindings). */
package org.lorafleet.trainer.tokenizer;
