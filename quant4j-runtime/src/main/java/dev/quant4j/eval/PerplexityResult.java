package dev.quant4j.eval;

import java.time.Duration;

/**
 * The outcome of the perplexity protocol of CLI.md.
 *
 * @param ppl {@code exp(meanNll)}
 * @param meanNll mean negative log-likelihood (natural log) over every predicted token
 * @param windows number of windows evaluated
 * @param tokensPredicted number of tokens whose likelihood was measured
 * @param time wall-clock time of the evaluation
 */
public record PerplexityResult(
    double ppl, double meanNll, int windows, long tokensPredicted, Duration time) {}
