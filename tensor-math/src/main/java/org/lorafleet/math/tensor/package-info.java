/** Named float32 tensors: the data the trainer, the parameter server and checkpoints exchange. */
package org.lorafleet.math.tensor;
