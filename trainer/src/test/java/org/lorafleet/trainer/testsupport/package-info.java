/** Test helpers shared by the trainer's tests, such as discovery of the reference fixture cases. */
package org.lorafleet.trainer.testsupport;
