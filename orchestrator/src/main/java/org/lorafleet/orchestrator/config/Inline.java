package org.lorafleet.orchestrator.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a record component whose value is itself a record: its components are keys of the enclosing
 * mapping, not a nested one ({@code data.quality.min_words} … {@code placeholders} are the
 * {@link FilterThresholds} of {@link QualityConfig#filters}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Inline {}
