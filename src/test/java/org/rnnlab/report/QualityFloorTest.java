package org.rnnlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QualityFloorTest {

    @Test
    void factoriesSetTheBound() {
        QualityFloor mse = QualityFloor.atMost("validation_mse", 0.01);
        assertEquals(new QualityFloor("validation_mse", QualityFloor.Bound.AT_MOST, 0.01), mse);
        assertEquals(QualityFloor.Bound.AT_LEAST, QualityFloor.atLeast("accuracy", 0.9).bound());
        assertEquals("<=", QualityFloor.Bound.AT_MOST.symbol());
        assertEquals(">=", QualityFloor.Bound.AT_LEAST.symbol());
    }

    @Test
    void atMostIsMetAtOrBelowTheLimit() {
        QualityFloor floor = QualityFloor.atMost("mse", 0.01);
        assertTrue(floor.isMetBy(0.005));
        assertTrue(floor.isMetBy(0.01), "exactly at the floor counts as met");
        assertFalse(floor.isMetBy(0.0100001));
        assertFalse(floor.isMetBy(Double.NaN), "a diverged run (NaN) never meets a floor");
    }

    @Test
    void atLeastIsMetAtOrAboveTheLimit() {
        QualityFloor floor = QualityFloor.atLeast("accuracy", 0.9);
        assertTrue(floor.isMetBy(0.95));
        assertTrue(floor.isMetBy(0.9));
        assertFalse(floor.isMetBy(0.89));
        assertFalse(floor.isMetBy(Double.NaN));
    }

    @Test
    void marginIsLimitOverValueForErrors() {
        QualityFloor floor = QualityFloor.atMost("mse", 0.01);
        assertEquals(2.0, floor.margin(0.005), 1e-12);
        assertEquals(1.0, floor.margin(0.01), 0.0);
        assertEquals(0.5, floor.margin(0.02), 1e-12, "below 1 when the floor is missed");
        assertEquals(Double.POSITIVE_INFINITY, floor.margin(0.0), "a perfect error is infinitely better");
    }

    @Test
    void marginIsValueOverLimitForAccuracies() {
        QualityFloor floor = QualityFloor.atLeast("accuracy", 0.8);
        assertEquals(1.25, floor.margin(1.0), 1e-12);
        assertEquals(1.0, floor.margin(0.8), 0.0);
        assertEquals(0.5, floor.margin(0.4), 1e-12);
    }
}
