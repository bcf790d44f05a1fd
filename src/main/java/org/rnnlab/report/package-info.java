/**
 * What a run reports: metrics and quality floors, metrics.json, losses per character in nats,
 * bits and perplexity, the progress bar and the results table of {@code all}.
 */
package org.rnnlab.report;
