//! Simulated network equipment on loopback.
