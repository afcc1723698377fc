package dev.agentfactory.store.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;

import org.junit.jupiter.api.Test;

class HistoryEntryTest {

    @Test
    void kindsReadAndWriteTheDatabaseValuesInATurkishLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        try {
            // a default-locale case change gives "learnıng" and "LEARNİNG", which the constraint and valueOf refuse
            assertThat(HistoryEntry.Kind.LEARNING.dbValue()).isEqualTo("learning");
            assertThat(HistoryEntry.Kind.fromDb("learning")).isEqualTo(HistoryEntry.Kind.LEARNING);
            assertThat(HistoryEntry.Kind.fromDb("performance")).isEqualTo(HistoryEntry.Kind.PERFORMANCE);
        } finally {
            Locale.setDefault(before);
        }
    }
}
