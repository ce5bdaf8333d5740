/**
 * The optimizer on flat float32 arrays (AdamW, global-norm clipping, learning-rate schedules),
 * shared by single-process training and the parameter server so both run the same math.
 */
package org.lorafleet.math.optim;
