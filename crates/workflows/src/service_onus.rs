//! The ONUs a service had: the one linked now and the ones before it (an
//! ONU replaced or deregistered keeps its hourly history with the
//! service), each with its received power over the kept history, so a
//! technician sees whether the fibre or the old box was the trouble.

use headend_core::ServiceId;
use headend_store::{OnuHistory, SignalPoint};
use jiff::{SignedDuration, Timestamp};

use crate::{WorkflowError, Workflows};

/// One ONU of a service, summed up over the history kept.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceOnuHistory {
    pub serial: String,
    /// The ONU linked to the service now; the others are former ones.
    pub current: bool,
    /// The first and last readings kept.
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Received power at the ONU, dBm: the lowest and highest readings and
    /// the mean of them all.
    pub rx_low: Option<f64>,
    pub rx_mean: Option<f64>,
    pub rx_high: Option<f64>,
    /// Readings behind the figures (an hour counts its readings).
    pub readings: u64,
}

/// `history` summed up: the mean weighs each hour by its readings.
pub fn summary(history: &OnuHistory) -> ServiceOnuHistory {
    let with_rx: Vec<&SignalPoint> = history.points.iter().filter(|p| p.sample.onu_rx.is_some()).collect();
    let readings: u64 = with_rx.iter().map(|p| u64::from(p.samples)).sum();
    let weighted: f64 = with_rx.iter().filter_map(|p| Some(p.sample.onu_rx? * f64::from(p.samples))).sum();
    ServiceOnuHistory {
        serial: history.serial.clone(),
        current: history.onu.is_some(),
        first: history.points.first().map(|p| p.at),
        last: history.points.last().map(|p| p.at),
        rx_low: with_rx.iter().filter_map(|p| p.low.onu_rx).reduce(f64::min),
        rx_mean: (readings > 0).then(|| weighted / readings as f64),
        rx_high: with_rx.iter().filter_map(|p| p.high.onu_rx).reduce(f64::max),
        readings,
    }
}

impl Workflows {
    /// Every ONU `service` had within the signal history kept, in the
    /// order they served it; the current one last, even with no reading.
    pub async fn service_onus(&self, service: ServiceId) -> Result<Vec<ServiceOnuHistory>, WorkflowError> {
        let days = self.store.signal_policy().await?.retention.history_days();
        let now = self.now();
        let from = now.checked_sub(SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(now);
        let histories = self.store.service_signal_history(service, from, now).await?;
        Ok(histories.iter().map(summary).collect())
    }
}

#[cfg(test)]
mod tests {
    use headend_core::OnuId;
    use headend_store::SignalSample;

    use super::*;

    fn point(at: i64, mean: Option<f64>, low: f64, high: f64, samples: u32) -> SignalPoint {
        let rx = |v: Option<f64>| SignalSample { onu_rx: v, ..SignalSample::default() };
        SignalPoint {
            at: Timestamp::from_second(at).unwrap_or_default(),
            sample: rx(mean),
            low: rx(mean.map(|_| low)),
            high: rx(mean.map(|_| high)),
            samples,
            hourly: samples > 1,
        }
    }

    #[test]
    fn hours_weigh_by_their_readings_and_gaps_count_for_nothing() {
        let history = OnuHistory {
            serial: "HWTC00000001".into(),
            onu: None,
            points: vec![
                point(3_600, Some(-20.0), -21.0, -19.0, 12),
                point(7_200, None, 0.0, 0.0, 0),
                point(7_500, Some(-26.0), -26.0, -26.0, 1),
            ],
        };
        let s = summary(&history);
        assert!(!s.current);
        assert_eq!(s.readings, 13);
        assert_eq!((s.rx_low, s.rx_high), (Some(-26.0), Some(-19.0)));
        let mean = s.rx_mean.unwrap_or_default();
        assert!((mean - (-20.0 * 12.0 - 26.0) / 13.0).abs() < 1e-9, "{mean}");
        assert_eq!(s.first.map(|t| t.as_second()), Some(3_600));
        assert_eq!(s.last.map(|t| t.as_second()), Some(7_500));
    }

    #[test]
    fn the_current_onu_with_no_reading_yet() {
        let s = summary(&OnuHistory { serial: "ZTEG00000002".into(), onu: Some(OnuId(4)), points: Vec::new() });
        assert!(s.current);
        assert_eq!((s.readings, s.rx_mean, s.first), (0, None, None));
    }
}
