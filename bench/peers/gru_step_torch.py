#!/usr/bin/python3
"""PyTorch peer of `npm run bench -- gru-step`: one training step of a GRU (or an LSTM) over a batch of
sequences (forward over every step, loss = mean of the squared outputs, backward, Adam), the
shapes of the project's CPC context network on ECG200-length series. Prints one JSON line.
Install: apt-get install -y python3-torch libopenblas0-openmp ; run with /usr/bin/python3.
Usage: /usr/bin/python3 gru_step_torch.py <batch> <time> <input> <units> <timed_steps> <threads> [gru|lstm]"""
import json, statistics, sys, time
import torch, torch.nn as nn

batch, steps_t, inp, units, steps, threads = (int(v) for v in sys.argv[1:7])
torch.set_num_threads(threads)
torch.manual_seed(0)
cell = sys.argv[7] if len(sys.argv) > 7 else "gru"
rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(inp, units, batch_first=True)
opt = torch.optim.Adam(rnn.parameters(), lr=1e-3)
x = torch.randn(batch, steps_t, inp)


def step():
    opt.zero_grad(set_to_none=True)
    y, _ = rnn(x)
    loss = (y * y).mean()
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(2):
    step()
times = []
cpu0 = time.process_time()
for _ in range(steps):
    t = time.perf_counter()
    step()
    times.append(time.perf_counter() - t)
cpu = (time.process_time() - cpu0) / steps
print(json.dumps({"engine": "torch " + torch.__version__ + " nn." + ("LSTM" if cell == "lstm" else "GRU"), "threads": threads, "median_step_s": statistics.median(times), "fastest_step_s": min(times), "cpu_step_s": cpu}))
