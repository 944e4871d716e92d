/**
 * The built-in `demo` scenario: seven receiver sites at the places of the public web receivers
 * Heimdall grew from, hearing broadcast, amateur, utility and ISM emitters, with a few anomalies
 * in its first hour. Usable wherever a scenario file is expected: `heimdall sim run demo ...`.
 *
 * Site positions are the real towns and sites; emitters are plausible (frequencies in the right
 * bands, powers and places of the kind found there), not a register of real licences.
 */
import { parseScenario } from './scenario.ts';
import type { ScenarioSpec } from './scenario.schema.ts';

export const demoScenarioText = `# Heimdall demo scenario: seven sites hearing broadcast, amateur, utility and ISM emitters.
# Times are seconds after start (06:00 UTC = 08:00 local); anomalies happen in the first hour.
name: demo
seed: 20240603
start: 2024-06-03T06:00:00Z
timezone_offset_hours: 2
propagation: { model: log-distance, exponent: 3.0, reference_distance_m: 1000, shadowing_sigma_db: 4 }

nodes:
  # RTL-SDR-class receivers: 8-bit ADC, full scale -25 dBm at 0 dB gain, and -100 dBFS/Hz of their own
  # noise after the gain (about 2 LSB rms at 2.4 MS/s). Each gain is an R820T step chosen from the link
  # budget: the strongest emitters the node hears at its default tuning stay below full scale (several
  # dB of headroom), and, where those allow it, thermal noise reaches a few LSB rms. Near strong
  # transmitters (twente, enschede, doorn, hack-green, graz) the gain is low and the receiver's own
  # noise sets the floor, as on a real 8-bit receiver. See "Choosing the gain" in the README.
  - { name: twente, latitude: 52.2393, longitude: 6.8570, altitude_m: 45, center_frequency: 145.5 MHz,
      gain_db: 14.4, adc_noise_dbfs_hz: -100, clock: gps, ppm: 1.2, dc_offset_dbfs: -42, frequency_range: [0.5 MHz, 1766 MHz] }
  - { name: enschede, latitude: 52.2215, longitude: 6.8937, altitude_m: 40, center_frequency: 100 MHz,
      gain_db: 0, adc_noise_dbfs_hz: -100, clock: gps, ppm: -0.8, dc_offset_dbfs: -40 }
  - { name: doorn, latitude: 52.0333, longitude: 5.3500, altitude_m: 20, center_frequency: 227.36 MHz,
      gain_db: 0, adc_noise_dbfs_hz: -100, clock: ntp, ppm: 3.5, dc_offset_dbfs: -38 }
  - { name: hack-green, latitude: 53.0331, longitude: -2.5325, altitude_m: 50, center_frequency: 144.5 MHz,
      gain_db: 22.9, adc_noise_dbfs_hz: -100, clock: ntp, ppm: -2.1, dc_offset_dbfs: -40, frequency_range: [0.5 MHz, 1766 MHz] }
  - { name: bratislava, latitude: 48.1486, longitude: 17.1077, altitude_m: 140, center_frequency: 433.92 MHz,
      gain_db: 40.2, adc_noise_dbfs_hz: -100, clock: none, ppm: 5.0, dc_offset_dbfs: -36 }
  # HF: the noise figure stands for the band's atmospheric and man-made noise; an HF front end
  # reaches full scale at -10 dBm
  - { name: graz, latitude: 47.0707, longitude: 15.4395, altitude_m: 360, center_frequency: 7.1 MHz,
      gain_db: 3.7, adc_noise_dbfs_hz: -100, noise_figure_db: 25, adc_full_scale_dbm: -10, clock: gps, ppm: 0.5, dc_offset_dbfs: -44, frequency_range: [0.5 MHz, 1766 MHz] }
  - { name: linkoping, latitude: 58.4108, longitude: 15.6214, altitude_m: 50, center_frequency: 868.3 MHz,
      gain_db: 44.5, adc_noise_dbfs_hz: -100, clock: ntp, ppm: -1.5, dc_offset_dbfs: -40 }

emitters:
  # --- broadcast ---------------------------------------------------------------------------
  - { name: fm-markelo-1, service: broadcast, latitude: 52.2400, longitude: 6.5100, altitude_m: 220,
      frequency: 99.3 MHz, power_w: 20000, antenna: { gain_dbi: 7 }, modulation: wbfm,
      schedule: { type: always, profile: quiet_nights } }
  - { name: fm-markelo-2, service: broadcast, latitude: 52.2400, longitude: 6.5100, altitude_m: 220,
      frequency: 100.7 MHz, power_w: 20000, antenna: { gain_dbi: 7 }, modulation: wbfm }
  - { name: fm-enschede-local, service: broadcast, latitude: 52.1900, longitude: 6.8500, altitude_m: 60,
      frequency: 100.2 MHz, power_w: 100, antenna: { gain_dbi: 3 }, modulation: { type: wbfm, stereo: false },
      schedule: { type: always, profile: quiet_nights } }
  - { name: fm-lopik-1, service: broadcast, latitude: 52.0100, longitude: 5.0540, altitude_m: 375,
      frequency: 98.9 MHz, power_w: 50000, antenna: { gain_dbi: 8 }, modulation: wbfm }
  - { name: fm-lopik-2, service: broadcast, latitude: 52.0100, longitude: 5.0540, altitude_m: 375,
      frequency: 101.2 MHz, power_w: 50000, antenna: { gain_dbi: 8 }, modulation: wbfm }
  - { name: dab-lopik-12c, service: broadcast, latitude: 52.0100, longitude: 5.0540, altitude_m: 375,
      frequency: 227.36 MHz, power_w: 10000, antenna: { gain_dbi: 8 }, modulation: { type: ofdm, bandwidth: 1.536 MHz, subcarriers: 1536 } }
  - { name: dab-markelo-11b, service: broadcast, latitude: 52.2400, longitude: 6.5100, altitude_m: 220,
      frequency: 218.64 MHz, power_w: 5000, antenna: { gain_dbi: 8 }, modulation: { type: ofdm, bandwidth: 1.536 MHz, subcarriers: 1536 } }
  - { name: fm-holme-moss, service: broadcast, latitude: 53.5333, longitude: -1.8578, altitude_m: 520,
      frequency: 89.3 MHz, power_w: 125000, antenna: { gain_dbi: 8 }, modulation: wbfm }
  - { name: fm-kamzik, service: broadcast, latitude: 48.1830, longitude: 17.0950, altitude_m: 500,
      frequency: 102.8 MHz, power_w: 30000, antenna: { gain_dbi: 7 }, modulation: wbfm }
  - { name: fm-schockl, service: broadcast, latitude: 47.1990, longitude: 15.4680, altitude_m: 1450,
      frequency: 95.4 MHz, power_w: 50000, antenna: { gain_dbi: 7 }, modulation: wbfm }
  - { name: fm-linkoping, service: broadcast, latitude: 58.3780, longitude: 15.5970, altitude_m: 150,
      frequency: 103.5 MHz, power_w: 20000, antenna: { gain_dbi: 7 }, modulation: wbfm }
  - { name: sw-am-nauen, service: broadcast, latitude: 52.6470, longitude: 12.9100, altitude_m: 30,
      frequency: 6.07 MHz, power_w: 10000, antenna: { gain_dbi: 10 }, propagation: { model: free-space, shadowing_sigma_db: 3 },
      modulation: { type: am, audio: music, depth: 0.8 }, schedule: { type: always, profile: evenings } }

  # --- amateur -------------------------------------------------------------------------------
  - { name: rep-enschede-2m, service: amateur, latitude: 52.2200, longitude: 6.8900, altitude_m: 70,
      frequency: 145.6625 MHz, power_w: 25, antenna: { gain_dbi: 6 }, modulation: { type: nbfm, ctcss: 88.5 },
      schedule: { type: poisson, rate_per_hour: 40, mean_duration_s: 20, profile: busy_mornings } }
  - { name: simplex-hengelo, service: amateur, latitude: 52.2650, longitude: 6.7930, altitude_m: 15,
      frequency: 145.5 MHz, power_w: 5, modulation: nbfm,
      schedule: { type: poisson, rate_per_hour: 20, mean_duration_s: 15, profile: evenings } }
  - { name: ssb-2m-bentheim, service: amateur, latitude: 52.3030, longitude: 7.1590, altitude_m: 90,
      frequency: 144.3 MHz, power_w: 100, antenna: { gain_dbi: 12 }, modulation: { type: ssb, sideband: usb },
      schedule: { type: poisson, rate_per_hour: 30, mean_duration_s: 30, profile: evenings } }
  - { name: beacon-2m-jo32, service: amateur, latitude: 52.3100, longitude: 6.9500, altitude_m: 40,
      frequency: 144.4285 MHz, power_w: 10, modulation: { type: cw, keying: morse, message: "VVV DE PI7HGL JO32", wpm: 16 } }
  - { name: aprs-igate-twente, service: amateur, latitude: 52.2500, longitude: 6.8200, altitude_m: 30,
      frequency: 144.8 MHz, power_w: 10, modulation: { type: fsk, symbol_rate: 1200, deviation: 3500, bt: 0 },
      schedule: { type: poisson, rate_per_hour: 90, mean_duration_s: 0.6, min_duration_s: 0.3, max_duration_s: 1.2 } }
  - { name: rep-uk-gb3mn, service: amateur, latitude: 53.2600, longitude: -2.5200, altitude_m: 200,
      frequency: 145.7625 MHz, power_w: 25, antenna: { gain_dbi: 6 }, modulation: { type: nbfm, ctcss: 103.5 },
      schedule: { type: poisson, rate_per_hour: 25, mean_duration_s: 25, profile: busy_mornings } }
  - { name: beacon-uk-2m, service: amateur, latitude: 52.9000, longitude: -2.3000, altitude_m: 150,
      frequency: 144.43 MHz, power_w: 20, modulation: { type: cw, keying: morse, message: "GB3VHF IO92", wpm: 12 } }
  - { name: ssb-uk-contest, service: amateur, latitude: 53.1000, longitude: -2.9000, altitude_m: 100,
      frequency: 144.29 MHz, power_w: 100, antenna: { gain_dbi: 14 }, modulation: { type: ssb, sideband: usb },
      schedule: { type: poisson, rate_per_hour: 50, mean_duration_s: 12, profile: evenings } }
  - { name: hf-40m-ssb-de, service: amateur, latitude: 50.1100, longitude: 8.6800, altitude_m: 100,
      frequency: 7.095 MHz, power_w: 100, propagation: { model: free-space, shadowing_sigma_db: 6 },
      modulation: { type: ssb, sideband: lsb }, schedule: { type: poisson, rate_per_hour: 40, mean_duration_s: 40, profile: band_opening } }
  - { name: hf-40m-ssb-at, service: amateur, latitude: 47.2600, longitude: 11.3900, altitude_m: 600,
      frequency: 7.13 MHz, power_w: 400, propagation: { model: free-space, shadowing_sigma_db: 6 },
      modulation: { type: ssb, sideband: lsb }, schedule: { type: poisson, rate_per_hour: 30, mean_duration_s: 60 } }
  - { name: hf-40m-cw, service: amateur, latitude: 45.8100, longitude: 15.9800, altitude_m: 120,
      frequency: 7.023 MHz, power_w: 50, propagation: { model: free-space, shadowing_sigma_db: 6 },
      modulation: { type: cw, keying: morse, message: "CQ CQ DE 9A1XYZ 9A1XYZ K", wpm: 22 },
      schedule: { type: duty_cycle, period_s: 120, on_s: 50, profile: band_opening } }
  - { name: hf-ft8-40m, service: amateur, latitude: 48.8600, longitude: 2.3500, altitude_m: 50,
      frequency: 7.0755 MHz, power_w: 50, propagation: { model: free-space, shadowing_sigma_db: 6 },
      modulation: { type: fsk, symbol_rate: 6.25, deviation: 3.125, levels: 4, bt: 2 },
      schedule: { type: duty_cycle, period_s: 30, on_s: 12.6, offset_s: 0.5 } }
  - { name: rep-om-2m, service: amateur, latitude: 48.1700, longitude: 17.0600, altitude_m: 400,
      frequency: 145.6 MHz, power_w: 25, modulation: nbfm,
      schedule: { type: poisson, rate_per_hour: 20, mean_duration_s: 30, profile: busy_mornings } }
  - { name: rep-oe6-2m, service: amateur, latitude: 47.1990, longitude: 15.4680, altitude_m: 1450,
      frequency: 145.65 MHz, power_w: 25, modulation: { type: nbfm, ctcss: 88.5 },
      schedule: { type: poisson, rate_per_hour: 25, mean_duration_s: 25, profile: busy_mornings } }
  - { name: rep-sk5-70cm, service: amateur, latitude: 58.4000, longitude: 15.6300, altitude_m: 120,
      frequency: 434.6 MHz, power_w: 10, modulation: nbfm,
      schedule: { type: poisson, rate_per_hour: 15, mean_duration_s: 20, profile: evenings } }

  # --- utility ---------------------------------------------------------------------------------
  - { name: atis-twente, service: utility, latitude: 52.2740, longitude: 6.8900, altitude_m: 35,
      frequency: 126.3 MHz, power_w: 50, modulation: { type: am, audio: voice, depth: 0.8, audio_bandwidth: 3000 } }
  - { name: twr-manchester, service: utility, latitude: 53.3540, longitude: -2.2750, altitude_m: 70,
      frequency: 118.625 MHz, power_w: 50, modulation: { type: am, audio: voice, depth: 0.8, audio_bandwidth: 3000 },
      schedule: { type: poisson, rate_per_hour: 120, mean_duration_s: 6, profile: office_hours } }
  - { name: tetra-enschede, service: utility, latitude: 52.2100, longitude: 6.8800, altitude_m: 60,
      frequency: 392.5125 MHz, power_w: 40, antenna: { gain_dbi: 6 }, modulation: { type: psk, symbol_rate: 18000, order: 4, rolloff: 0.35 } }
  - { name: pager-p2000, service: utility, latitude: 52.2400, longitude: 6.5100, altitude_m: 220,
      frequency: 169.65 MHz, power_w: 250, antenna: { gain_dbi: 6 }, modulation: { type: fsk, symbol_rate: 1200, deviation: 4500, bt: 0 },
      schedule: { type: poisson, rate_per_hour: 300, mean_duration_s: 2, profile: office_hours } }
  - { name: radar-nieuw-milligen, service: utility, latitude: 52.2110, longitude: 5.7810, altitude_m: 60,
      frequency: 1300 MHz, power_w: 1000000, antenna: { gain_dbi: 34, pattern: { type: rotating, period_s: 10, beamwidth_deg: 1.5, sidelobe_db: -30 } },
      modulation: { type: radar, pulse_width_s: 1e-6, pri_s: 1e-3 } }
  - { name: pmr446-vienna-road, service: utility, latitude: 48.1500, longitude: 17.1300, altitude_m: 140,
      frequency: 446.00625 MHz, power_w: 0.5, modulation: nbfm,
      schedule: { type: poisson, rate_per_hour: 30, mean_duration_s: 8, profile: office_hours } }

  # --- ISM -------------------------------------------------------------------------------------
  - { name: ism-weather-station, service: ism, latitude: 48.1560, longitude: 17.1150, altitude_m: 150,
      frequency: 433.92 MHz, power_dbm: 10, modulation: { type: fsk, symbol_rate: 4800, deviation: 30000, bt: 0 },
      schedule: { type: duty_cycle, period_s: 48, on_s: 0.25 } }
  - { name: ism-car-key, service: ism, latitude: 48.1470, longitude: 17.1050, altitude_m: 140,
      frequency: 433.87 MHz, power_dbm: 0, modulation: { type: fsk, symbol_rate: 2400, deviation: 20000, bt: 0 },
      schedule: { type: poisson, rate_per_hour: 12, mean_duration_s: 0.4, profile: office_hours } }
  - { name: lora-gateway-lkp, service: ism, latitude: 58.3980, longitude: 15.5770, altitude_m: 60,
      frequency: 868.1 MHz, power_dbm: 14, antenna: { gain_dbi: 3 }, modulation: { type: lora, spreading_factor: 9 },
      schedule: { type: poisson, rate_per_hour: 60, mean_duration_s: 0.4, min_duration_s: 0.2, max_duration_s: 1.0 } }
  - { name: lora-sensor-lkp, service: ism, latitude: 58.4200, longitude: 15.6100, altitude_m: 30,
      frequency: 868.3 MHz, power_dbm: 14, modulation: { type: lora, spreading_factor: 7 },
      schedule: { type: duty_cycle, period_s: 60, on_s: 0.2, offset_s: 7 } }
  - { name: ism-doorbell-enschede, service: ism, latitude: 52.2230, longitude: 6.8950, altitude_m: 5,
      frequency: 433.92 MHz, power_dbm: 5, modulation: { type: fsk, symbol_rate: 3000, deviation: 25000, bt: 0 },
      schedule: { type: poisson, rate_per_hour: 4, mean_duration_s: 0.5 } }

anomalies:
  # a wideband noise jammer on the 2 m band near Twente, two minutes in
  - { type: jammer, start_s: 120, duration_s: 45, name: jammer-2m, latitude: 52.2450, longitude: 6.8700, altitude_m: 10,
      frequency: 145.3 MHz, power_w: 2, mode: noise, bandwidth: 400 kHz }
  # the 2 m beacon drifts 3 kHz up over four minutes
  - { type: frequency_drift, start_s: 300, duration_s: 240, emitter: beacon-2m-jo32, drift: 3 kHz }
  # an unknown data emitter appears next to the repeater
  - { type: new_emitter, start_s: 600, duration_s: 300,
      emitter: { name: unknown-fsk-145, latitude: 52.2300, longitude: 6.9200, altitude_m: 20, frequency: 145.71 MHz,
                 power_w: 5, modulation: { type: fsk, symbol_rate: 9600, deviation: 3000 }, service: unknown } }
  # an FM station's power jumps by 10 dB
  - { type: power_jump, start_s: 900, duration_s: 300, emitter: fm-markelo-2, change_db: 10 }
  # the local FM station radiates its second and third harmonics (200.4 / 300.6 MHz)
  - { type: harmonics, start_s: 1200, duration_s: 600, emitter: fm-enschede-local, orders: [2, 3], level_dbc: -35 }
  # the Twente repeater keys up in the middle of the night
  - { type: out_of_schedule, start_s: 75600, duration_s: 120, emitter: rep-enschede-2m }
  # a swept-tone jammer near Bratislava on 70 cm
  - { type: jammer, start_s: 1500, duration_s: 60, name: sweeper-70cm, latitude: 48.1500, longitude: 17.1000, altitude_m: 150,
      frequency: 433.92 MHz, power_w: 0.2, mode: sweep, bandwidth: 1.6 MHz, sweep_period_s: 0.02 }
`;

/** Names that may stand where a scenario file is expected. */
export const BUILTIN_SCENARIOS = ['demo'] as const;

let demo: ScenarioSpec | undefined;

/** The built-in scenario of that name, or undefined. */
export function loadBuiltinScenario(name: string): ScenarioSpec | undefined {
  if (name !== 'demo') return undefined;
  demo ??= parseScenario(demoScenarioText, 'demo');
  return demo;
}
