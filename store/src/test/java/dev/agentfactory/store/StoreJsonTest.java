package dev.agentfactory.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;

import org.junit.jupiter.api.Test;

class StoreJsonTest {

    @Test
    void jsonbNumbersKeepEveryDigitThroughAReadAndAWrite() {
        String stored = "{\"rate\": 0.12345678901234567890123, \"huge\": 1E+400, \"n\": 3}";
        var read = StoreJson.read(stored);
        assertThat(read.get("rate")).isEqualTo(new BigDecimal("0.12345678901234567890123"));
        assertThat(read.get("huge")).isEqualTo(new BigDecimal("1E+400"));
        assertThat(StoreJson.write(read)).isEqualTo("{\"rate\":0.12345678901234567890123,\"huge\":1E+400,\"n\":3}");
    }
}
