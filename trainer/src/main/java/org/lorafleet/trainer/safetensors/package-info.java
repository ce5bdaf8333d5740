/** Reading and writing the safetensors file format (header validation, dtype conversion to float32). */
package org.lorafleet.trainer.safetensors;
