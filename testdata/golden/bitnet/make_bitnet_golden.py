"""Golden files for quant4j's BitNet support, made with transformers' own bitnet code on CPU.

Run offline (torch, transformers, accelerate, safetensors), from this folder:
    TORCHDYNAMO_DISABLE=1 python make_bitnet_golden.py /path/to/shared/golden/official/random-1layer-bf16

TORCHDYNAMO_DISABLE turns transformers' @torch.compile decorators into plain calls (no C compiler
needed); the arithmetic is the same eager torch code.

Writes:
  bitnet-tensors.safetensors  per layer L of the random model (q_proj, k_proj, down_proj):
      L.w            the bf16 weight as read
      L.s            WeightQuant's multiplier 1 / max(mean|W|, 1e-5), float32 [1]
      L.ternary      round(W * s).clamp(-1, 1) as int8
      L.packed       pack_weights(ternary) (uint8 [out/4, in])
      L.fake         WeightQuant.forward(W) (bf16): the weight an online AutoBitLinear uses
      acts.x         float32 [5, 128] activations; acts.q = ActQuant.forward(acts.x)
      L.y            AutoBitLinear online forward (ActQuant, then F.linear with L.fake) of acts.x
                     (acts.x2 for down_proj), in float32
  random-1layer-bitlinear/  the random model as an offline bitlinear checkpoint (packed weights,
      weight_scale = s in bf16), loaded back by transformers from_pretrained; logits.safetensors
      holds its float32 logits for prompt [1, 17, 42, 99, 200, 7] (transformers computes BitLinear in
      bf16).
"""
import json
import os
import shutil
import sys

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM
from transformers.integrations.bitnet import ActQuant, WeightQuant, pack_weights

src = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
state = load_file(os.path.join(src, "model.safetensors"))
torch.manual_seed(1234)

out = {}
x = torch.randn(5, 128, dtype=torch.float32) * 3
x[2] = 0  # an all-zero token: the 1e-5 clamp
x2 = torch.randn(5, 256, dtype=torch.float32)
out["acts.x"] = x
out["acts.x2"] = x2
out["acts.q"] = ActQuant.forward(None, x)
layers = {
    "q_proj": "model.layers.0.self_attn.q_proj.weight",
    "k_proj": "model.layers.0.self_attn.k_proj.weight",
    "down_proj": "model.layers.0.mlp.down_proj.weight",
}
for short, key in layers.items():
    w = state[key]
    wf = w.float()
    s = 1.0 / wf.abs().mean().clamp_(min=1e-5)
    t = (wf * s).round().clamp(-1, 1)
    out[short + ".w"] = w
    out[short + ".s"] = s.reshape(1)
    out[short + ".ternary"] = t.to(torch.int8)
    out[short + ".packed"] = pack_weights(t.clone())
    out[short + ".fake"] = WeightQuant.forward(None, w)
    # AutoBitLinear(online).forward with the bf16 model's fake-quantized weight, computed in float32
    xin = x2 if short == "down_proj" else x
    out[short + ".y"] = torch.nn.functional.linear(ActQuant.forward(None, xin), out[short + ".fake"].float())
save_file({k: v.contiguous() for k, v in out.items()}, os.path.join(here, "bitnet-tensors.safetensors"))

# An offline bitlinear checkpoint of the random model, as microsoft's converter and transformers'
# BitLinear define it: weight_scale is the multiplier s.
ckpt = os.path.join(here, "random-1layer-bitlinear")
shutil.rmtree(ckpt, ignore_errors=True)
os.makedirs(ckpt)
packed_state = {}
for key, w in state.items():
    if key.endswith("_proj.weight"):
        wf = w.float()
        s = 1.0 / wf.abs().mean().clamp_(min=1e-5)
        t = (wf * s).round().clamp(-1, 1)
        module = key[: -len(".weight")]
        packed_state[module + ".weight"] = pack_weights(t)
        packed_state[module + ".weight_scale"] = s.reshape(1).to(torch.bfloat16)
    else:
        packed_state[key] = w
save_file(packed_state, os.path.join(ckpt, "model.safetensors"), metadata={"format": "pt"})
config = json.load(open(os.path.join(src, "config.json")))
config["quantization_config"] = {"quant_method": "bitnet", "linear_class": "bitlinear", "quantization_mode": "offline", "modules_to_not_convert": None, "use_rms_norm": False, "rms_norm_eps": 1e-6}
json.dump(config, open(os.path.join(ckpt, "config.json"), "w"), indent=2)
shutil.copy(os.path.join(src, "generation_config.json"), ckpt)
model = AutoModelForCausalLM.from_pretrained(ckpt, device_map="cpu")
prompt = torch.tensor([[1, 17, 42, 99, 200, 7]])
with torch.no_grad():
    logits = model(prompt).logits[0].float()
save_file({"logits": logits.contiguous()}, os.path.join(here, "random-1layer-bitlinear-logits.safetensors"))
print("loaded as", type(model.model.layers[0].self_attn.q_proj).__name__, "logits", logits.shape)
