package org.rnnlab.keras;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.rnnlab.BadInputException;
import org.rnnlab.data.Json;

/** Settings DL4J's importer would ignore, and layers it does not map, are refused with one line naming them. */
class KerasSettingsTest {
    /** The settings DL4J's importer never reads, each refused for every recurrent layer. */
    private static final String[] IGNORED_BY_THE_IMPORTER = {"go_backwards", "stateful", "return_state", "time_major"};

    private static KerasFile model(String layers) throws Exception {
        JsonNode config = Json.MAPPER.readTree("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
                + layers + "]}}");
        return new KerasFile(Path.of("model.h5"), config, "2.2.4", "tensorflow");
    }

    private static String refusal(String layers) throws Exception {
        KerasFile keras = model(layers);
        String message = assertThrows(BadInputException.class, () -> KerasSettings.check(keras)).getMessage();
        assertTrue(!message.contains("\n") && message.startsWith("model.h5: "), message);
        return message;
    }

    private static String lstm(String extra) {
        return "{\"class_name\": \"LSTM\", \"config\": {\"name\": \"lstm_1\", \"units\": 4, \"batch_input_shape\": [null, 3, 2]"
                + extra + "}}";
    }

    @Test
    void settingsTheImporterIgnoresAreRefusedByName() throws Exception {
        assertDoesNotThrow(() -> KerasSettings.check(model(lstm(", \"go_backwards\": false, \"stateful\": false"))));
        for (String setting : IGNORED_BY_THE_IMPORTER) {
            String message = refusal(lstm(", \"" + setting + "\": true"));
            assertTrue(message.contains("layer lstm_1 (LSTM)") && message.contains(setting + "=true"), message);
        }
        assertTrue(refusal(lstm(", \"use_bias\": false")).contains("use_bias=False"));
        String embedding = "{\"class_name\": \"Embedding\", \"config\": {\"name\": \"e\", \"input_dim\": 5,"
                + " \"output_dim\": 2, \"batch_input_shape\": [null, 3], \"mask_zero\": %s}}";
        assertDoesNotThrow(() -> KerasSettings.check(model(String.format(embedding, "false"))));
        assertTrue(refusal(String.format(embedding, "true")).contains("layer e (Embedding) has mask_zero=True"));
        String wrapped = "{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bi\", \"merge_mode\": \"concat\","
                + " \"layer\": " + lstm(", \"go_backwards\": true") + "}}";
        assertTrue(refusal(wrapped).contains("layer bi/lstm_1 (LSTM)"), refusal(wrapped));
        String noMerge = "{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bi\", \"merge_mode\": null,"
                + " \"layer\": " + lstm("") + "}}";
        assertTrue(refusal(noMerge).contains("merge_mode=null"), refusal(noMerge));
    }

    private static String gru(String extra) {
        return "{\"class_name\": \"GRU\", \"config\": {\"name\": \"gru_1\", \"units\": 4, \"batch_input_shape\": [null, 3, 2],"
                + " \"activation\": \"tanh\", \"recurrent_activation\": \"hard_sigmoid\"" + extra + "}}";
    }

    @Test
    void gruSettingsRnnlabComputesAsKerasDoesAreTakenAndTheRestRefusedByName() throws Exception {
        for (String form : new String[] {"", ", \"reset_after\": false", ", \"reset_after\": true"}) {
            assertDoesNotThrow(() -> KerasSettings.check(model(gru(form))), form);
        }
        assertTrue(refusal(gru(", \"reset_after\": \"yes\"")).contains("reset_after=\"yes\""));
        String softsign = refusal(gru("").replace("\"tanh\"", "\"softsign\""));
        assertTrue(softsign.contains("layer gru_1 (GRU) has activation=softsign"), softsign);
        String gate = refusal(gru("").replace("\"hard_sigmoid\"", "\"tanh\""));
        assertTrue(gate.contains("recurrent_activation=tanh") && gate.contains("hard_sigmoid, sigmoid"), gate);
        // the settings every recurrent layer is checked for apply to a GRU too
        for (String setting : IGNORED_BY_THE_IMPORTER) {
            String message = refusal(gru(", \"" + setting + "\": true"));
            assertTrue(message.contains("layer gru_1 (GRU)") && message.contains(setting + "=true"), message);
        }
        assertTrue(refusal(gru(", \"use_bias\": false")).contains("use_bias=False"));
        // Bidirectional(GRU) is taken (KerasBidirectionalGru), and its GRU's settings checked as a GRU's alone
        String bidirectional = "{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bi\", \"merge_mode\":"
                + " \"concat\", \"layer\": %s}}";
        assertDoesNotThrow(() -> KerasSettings.check(model(String.format(bidirectional, gru("")))));
        String wrapped = refusal(String.format(bidirectional, gru(", \"go_backwards\": true")));
        assertTrue(wrapped.contains("layer bi/gru_1 (GRU)") && wrapped.contains("go_backwards=true"), wrapped);
        String masked = refusal("{\"class_name\": \"Masking\", \"config\": {\"name\": \"m\", \"mask_value\": 0.0}}, "
                + gru(""));
        assertTrue(masked.contains("layer m (Masking)") && masked.contains("MaskZeroLayer"), masked);
    }

    @Test
    void layersTheImportDoesNotMapAreRefused() throws Exception {
        String conv = refusal("{\"class_name\": \"Conv1D\", \"config\": {\"name\": \"conv1d_1\"}}");
        assertTrue(conv.contains("Conv1D") && conv.contains("not a layer rnnlab imports"), conv);
        assertTrue(refusal("").contains("lists no layers"));
    }
}
