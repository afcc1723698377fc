package dev.agentfactory.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A figure held against its target. It is met only when the figure is sound as well as within the target: a run
 * with failed requests, with fewer samples than it was due, or that fell short of the rate it was to offer,
 * misses, and says why.
 */
public record Verdict(boolean met, String why) {

    /** The least share of its offered rate a load must achieve for its figures to count ({@link #rate}). */
    public static final double MIN_RATE_SHARE = 0.97;

    /** {@code value} at most {@code limit}, over {@code samples} of {@code expected} samples, {@code errors} of them failed. */
    public static Verdict atMost(double value, double limit, long errors, long samples, long expected) {
        List<String> problems = new ArrayList<>();
        if (errors > 0) {
            problems.add(errors + (errors == 1 ? " request failed" : " requests failed"));
        }
        if (samples < expected) {
            problems.add("only " + samples + " of " + expected + " samples");
        }
        if (Double.isNaN(value)) {
            problems.add("not measured");
        } else if (value > limit) {
            problems.add(number(value) + " > " + number(limit));
        }
        return problems.isEmpty() ? new Verdict(true, number(value) + " <= " + number(limit))
                : new Verdict(false, String.join("; ", problems));
    }

    /** An achieved rate at least {@code share} of the one offered: below it, the run did not load what it claims. */
    public static Verdict rate(double achieved, double offered, double share) {
        boolean met = achieved >= share * offered;
        return new Verdict(met, String.format(Locale.ROOT, "achieved %.0f/s of %.0f/s offered (%s %.0f %%)", achieved,
                offered, met ? ">=" : "<", share * 100));
    }

    /** A condition the run needs, as a verdict: {@code why} says what went wrong when it does not hold. */
    public static Verdict require(boolean holds, String why) {
        return new Verdict(holds, holds ? "" : why);
    }

    /** Both met; the reasons of whichever missed. */
    public Verdict and(Verdict other) {
        if (met && other.met) {
            return new Verdict(true, why.isEmpty() ? other.why : other.why.isEmpty() ? why : why + "; " + other.why);
        }
        return new Verdict(false, !met && !other.met ? why + "; " + other.why : met ? other.why : why);
    }

    /** {@code MET} or {@code MISSED (why)}. */
    public String word() {
        return met ? "MET" : "MISSED (" + why + ")";
    }

    private static String number(double v) {
        return Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, "%.2f", v);
    }
}
