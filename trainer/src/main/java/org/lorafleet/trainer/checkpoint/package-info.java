/** Hugging Face checkpoint folders: config.json, single or sharded safetensors weights, tokenizer.json. */
package org.lorafleet.trainer.checkpoint;
