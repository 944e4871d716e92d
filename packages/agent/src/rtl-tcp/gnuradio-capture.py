#!/usr/bin/python3
"""Real-peer check for `heimdall sim serve`: a GNU Radio flowgraph with the gr-osmosdr rtl_tcp
source tunes the server, captures complex samples to a file and exits.

usage: gnuradio-capture.py PORT CENTER_HZ RATE_HZ SECONDS OUT.cf32
"""
import sys

from gnuradio import blocks, gr
import osmosdr


def main() -> int:
    port, center, rate, seconds, out = sys.argv[1:6]
    tb = gr.top_block()
    src = osmosdr.source(args=f"numchan=1 rtl_tcp=127.0.0.1:{port}")
    src.set_sample_rate(float(rate))
    src.set_center_freq(float(center), 0)
    src.set_freq_corr(0, 0)
    src.set_gain_mode(False, 0)
    src.set_gain(20, 0)
    n = int(float(rate) * float(seconds))
    head = blocks.head(gr.sizeof_gr_complex, n)
    sink = blocks.file_sink(gr.sizeof_gr_complex, out, False)
    sink.set_unbuffered(False)
    tb.connect(src, head, sink)
    tb.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
