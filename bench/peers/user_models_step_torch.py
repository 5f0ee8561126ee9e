#!/usr/bin/python3
"""PyTorch peer of `npm run bench -- step --arch mobilenet-layers | conv1d-layers`: the models of
bench/_user-mobilenet.ts and bench/_user-conv1d.ts, the same batch, NT-Xent (tau = 0.5) and Adam
(lr 1e-3) as ../shared/peers/simclr_step_torch.py. Prints one JSON line with images/s.
Install: apt-get install -y python3-torch libopenblas0-openmp ; run with /usr/bin/python3.
Usage: /usr/bin/python3 user_models_step_torch.py mobilenet|conv1d [timed_steps] [threads]
mobilenet: conv3x3(32)-BN-ReLU6, then depthwise 3x3 - BN - ReLU6 - conv1x1 - BN - ReLU6 blocks
  (64/1, 128/2, 128/1, 256/2, 256/1), GAP, head 256-128-64; 256 images of 32x32x3.
conv1d: conv1d(k 9, no bias)-BN-ReLU units (32/2, 64/2, 128/2, 128/1), GAP, head 128-128-64;
  512 signals of length 512, one channel."""
import json, statistics, sys, time
import torch, torch.nn as nn, torch.nn.functional as F

arch = sys.argv[1] if len(sys.argv) > 1 else "mobilenet"
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)


def bn_relu6(c):
    return [nn.BatchNorm2d(c, eps=1e-5, momentum=0.1), nn.ReLU6()]


def mobilenet():
    layers, c = [nn.Conv2d(3, 32, 3, padding=1, bias=False), *bn_relu6(32)], 32
    for width, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1)]:
        layers += [nn.Conv2d(c, c, 3, stride=stride, padding=1, groups=c, bias=False), *bn_relu6(c),
                   nn.Conv2d(c, width, 1, bias=False), *bn_relu6(width)]
        c = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 64))


def conv1d():
    layers, c = [], 1
    for width, stride in [(32, 2), (64, 2), (128, 2), (128, 1)]:
        layers += [nn.Conv1d(c, width, 9, stride=stride, padding=4, bias=False), nn.BatchNorm1d(width), nn.ReLU()]
        c = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                         nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64))


def nt_xent(z, tau=0.5):
    n2 = z.shape[0]
    z = F.normalize(z, dim=1)
    sim = (z @ z.t() / tau).masked_fill(torch.eye(n2, dtype=torch.bool), float("-inf"))
    return F.cross_entropy(sim, (torch.arange(n2) + n2 // 2) % n2)


pairs, shape = (128, (3, 32, 32)) if arch == "mobilenet" else (256, (1, 512))
model = {"mobilenet": mobilenet, "conv1d": conv1d}[arch]().train()
views = torch.rand(2 * pairs, *shape)  # both views, pre-made: augmentation is not timed here
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
times, warmup = [], 2
for i in range(warmup + steps):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = nt_xent(model(views))
    loss.backward()
    opt.step()
    loss.item()
    if i >= warmup:
        times.append(time.perf_counter() - t0)
med = statistics.median(times)
print(json.dumps({"engine": "torch " + torch.__version__, "threads": threads, "arch": arch, "images": 2 * pairs,
                  "median_step_s": round(med, 4), "images_per_s": round(2 * pairs / med, 1)}))
