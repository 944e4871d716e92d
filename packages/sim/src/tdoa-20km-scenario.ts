/**
 * Five GPS-synced nodes spread over about 20 km, log-distance propagation with 2 dB shadowing and no
 * emitters: the localization trials of `heimdall eval localize tdoa-20km` add theirs.
 */
export const tdoa20kmScenarioText = `name: tdoa-20km
seed: 8
start: 2025-01-01T00:00:00Z
propagation: { model: log-distance, exponent: 2.8, reference_distance_m: 100, shadowing_sigma_db: 2 }
nodes:
  - { name: sw, latitude: 48.0191, longitude: 11.3660, altitude_m: 500, center_frequency: 433.92 MHz, sample_rate: 250k, adc_bits: 12, gain_db: 40, clock: gps }
  - { name: se, latitude: 48.0101, longitude: 11.6204, altitude_m: 500, center_frequency: 433.92 MHz, sample_rate: 250k, adc_bits: 12, gain_db: 40, clock: gps }
  - { name: ne, latitude: 48.1719, longitude: 11.6341, altitude_m: 500, center_frequency: 433.92 MHz, sample_rate: 250k, adc_bits: 12, gain_db: 40, clock: gps }
  - { name: nw, latitude: 48.1899, longitude: 11.3928, altitude_m: 500, center_frequency: 433.92 MHz, sample_rate: 250k, adc_bits: 12, gain_db: 40, clock: gps }
  - { name: mid, latitude: 48.1045, longitude: 11.5134, altitude_m: 500, center_frequency: 433.92 MHz, sample_rate: 250k, adc_bits: 12, gain_db: 40, clock: gps }
emitters: []
`;
