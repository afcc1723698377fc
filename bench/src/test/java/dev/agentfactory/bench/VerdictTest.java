package dev.agentfactory.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VerdictTest {

    @Test
    void aFigureWithinItsTargetIsMetOnlyWithEverySampleInAndNoErrors() {
        assertThat(Verdict.atMost(4.3, 10, 0, 1000, 1000).met()).isTrue();
        Verdict errors = Verdict.atMost(4.3, 10, 3, 1000, 1000);
        assertThat(errors.met()).isFalse();
        assertThat(errors.word()).startsWith("MISSED").contains("3 requests failed");
        Verdict missing = Verdict.atMost(4.3, 10, 0, 900, 1000);
        assertThat(missing.met()).isFalse();
        assertThat(missing.why()).contains("only 900 of 1000 samples");
        assertThat(Verdict.atMost(10.5, 10, 0, 1000, 1000).met()).isFalse();
        assertThat(Verdict.atMost(Double.POSITIVE_INFINITY, 10, 0, 1000, 1000).why()).contains("inf > 10");
        assertThat(Verdict.atMost(Double.NaN, 10, 0, 1000, 1000).met()).isFalse();
    }

    @Test
    void aRunBelowTheShareOfItsOfferedRateMisses() {
        assertThat(Verdict.rate(1_950, 2_000, 0.97).met()).isTrue();
        Verdict slow = Verdict.rate(1_900, 2_000, 0.97);
        assertThat(slow.met()).isFalse();
        assertThat(slow.why()).contains("1900/s of 2000/s");
        assertThat(Verdict.rate(Double.NaN, 20, 0.97).met()).isFalse();
    }

    @Test
    void bothMustBeMetAndTheMissesSayWhy() {
        Verdict ok = Verdict.require(true, "x");
        Verdict a = Verdict.require(false, "a died");
        Verdict b = Verdict.require(false, "b late");
        assertThat(ok.and(ok).met()).isTrue();
        assertThat(ok.and(a)).isEqualTo(a);
        assertThat(a.and(ok)).isEqualTo(a);
        assertThat(a.and(b).why()).isEqualTo("a died; b late");
    }
}
