"""Golden files for quant4j's TorchAO support, written offline with torch only.

torchao itself is not in the local package mirror, so this script re-states, in the same eager
torch operations, the reference code paths quant4j follows (read from the public sources):
  * int4 plain (Int4Tensor.from_hp): FBGEMM's int4_row_quantize_zp and pack_int4 (pure torch);
  * int8 (Int8Tensor.from_hp, SYMMETRIC): choose_qparams_affine (absmax / 127.5 in the weight
    dtype, clamped to float32 eps, widened to float32) then quantize_affine (x * (1 / scale));
  * dynamic per-token int8 activations: the same rule per row of float32 activations.
It also writes the random model as a torchao int4 checkpoint in the flattened safetensors form of
torchao's flatten_tensor_state_dict (tensor_names + per-tensor JSON in the header metadata), as
transformers 5 saves it.

Run: python make_torchao_golden.py /path/to/shared/golden/official/random-1layer-bf16
"""
import json
import os
import shutil
import sys

import torch
from safetensors.torch import load_file, save_file

src = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
state = load_file(os.path.join(src, "model.safetensors"))


def pack_int4(x):  # FBGEMM gen_ai/quantize.py
    low_x = x[:, ::2]
    high_x = x[:, 1::2]
    high_x = torch.bitwise_left_shift(high_x, 4)
    low_x = torch.bitwise_and(low_x, 0xF)
    return torch.bitwise_or(low_x, high_x).contiguous()


def int4_row_quantize_zp(x, group_size):  # FBGEMM gen_ai/quantize.py
    n_bit = 4
    to_quant = x.reshape(-1, group_size).to(torch.float)
    max_val = to_quant.amax(dim=1, keepdim=True)
    min_val = to_quant.amin(dim=1, keepdim=True)
    max_int = 2**n_bit - 1
    min_int = 0
    scales = (max_val - min_val).clamp(min=1e-6) / max_int
    zeros = min_val + scales * (2 ** (n_bit - 1))
    out = to_quant.sub(min_val).div(scales).round().clamp_(min_int, max_int)
    out = (out - 2 ** (n_bit - 1)).to(dtype=torch.int8).reshape(x.shape)
    scales = scales.view(x.shape[0], -1).t().contiguous()
    zeros = zeros.view(x.shape[0], -1).t().contiguous()
    return out, scales, zeros


def int4(w, group_size):
    q, scale, zero = int4_row_quantize_zp(w, group_size)
    scale = scale.to(w.dtype)
    zero = zero.to(w.dtype)
    deq = q.float() * scale.float().t().repeat_interleave(group_size, dim=1) + zero.float().t().repeat_interleave(group_size, dim=1)
    return pack_int4(q), scale, zero, deq


def int8_symmetric(x, per_tensor=False):
    dims = None if per_tensor else -1
    if per_tensor:
        min_val, max_val = torch.aminmax(x)
    else:
        min_val, max_val = torch.aminmax(x, dim=-1, keepdim=True)
    min_neg = torch.min(min_val, torch.zeros_like(min_val))
    max_pos = torch.max(max_val, torch.zeros_like(max_val))
    max_pos = torch.max(-min_neg, max_pos)
    scale = max_pos / (float(127 - (-128)) / 2)
    scale = torch.clamp(scale, min=torch.finfo(torch.float32).eps)
    scale = scale.to(torch.float32).reshape(-1, 1) if not per_tensor else scale.to(torch.float32).reshape(1, 1)
    q = torch.clamp(torch.round(x * (1.0 / scale)), -128, 127).to(torch.int8)
    return q, scale


out = {}
layers = {
    "q_proj": "model.layers.0.self_attn.q_proj.weight",
    "down_proj": "model.layers.0.mlp.down_proj.weight",
}
for short, key in layers.items():
    w = state[key]
    out[short + ".w"] = w
    for g in (32, 128):
        qdata, scale, zero, deq = int4(w, g)
        out[f"{short}.int4_g{g}.qdata"] = qdata
        out[f"{short}.int4_g{g}.scale"] = scale
        out[f"{short}.int4_g{g}.zero_point"] = zero
        out[f"{short}.int4_g{g}.dequant"] = deq
    q, scale = int8_symmetric(w)
    out[short + ".int8.qdata"] = q
    out[short + ".int8.scale"] = scale
    q, scale = int8_symmetric(w, per_tensor=True)
    out[short + ".int8_tensor.qdata"] = q
    out[short + ".int8_tensor.scale"] = scale
torch.manual_seed(99)
x = torch.randn(4, 128, dtype=torch.float32) * 2
x[1] = 0
q, s = int8_symmetric(x)
out["acts.x"] = x
out["acts.q"] = q.float() * s
save_file({k: v.contiguous() for k, v in out.items()}, os.path.join(here, "torchao-tensors.safetensors"))

# The random model as transformers 5 saves an Int4WeightOnlyConfig(group_size=64) model.
ckpt = os.path.join(here, "random-1layer-int4-g64")
shutil.rmtree(ckpt, ignore_errors=True)
os.makedirs(ckpt)
tensors = {}
metadata = {"format": "pt"}
names = []
for key, w in sorted(state.items()):
    names.append(key)
    if key.endswith("_proj.weight"):
        module = key[: -len(".weight")]
        qdata, scale, zero, _ = int4(w, 64)
        tensors[module + "._weight_qdata"] = qdata
        tensors[module + "._weight_scale"] = scale
        tensors[module + "._weight_zero_point"] = zero
        metadata[key] = json.dumps({"_type": "Int4Tensor", "_data": {"block_size": [1, 64], "shape": list(w.shape)},
                                    "_tensor_data_names": ["qdata", "scale", "zero_point"]})
    else:
        tensors[key] = w
        metadata[key] = json.dumps({"_type": "Tensor"})
metadata["tensor_names"] = json.dumps(names)
save_file(tensors, os.path.join(ckpt, "model.safetensors"), metadata=metadata)
config = json.load(open(os.path.join(src, "config.json")))
config["quantization_config"] = {
    "quant_method": "torchao", "modules_to_not_convert": None, "include_input_output_embeddings": False,
    "untie_embedding_weights": False,
    "quant_type": {"default": {"_type": "Int4WeightOnlyConfig", "_version": 2, "_data": {
        "group_size": 64, "set_inductor_config": True,
        "int4_packing_format": {"_type": "Int4PackingFormat", "_data": "PLAIN"},
        "int4_choose_qparams_algorithm": {"_type": "Int4ChooseQParamsAlgorithm", "_data": "TINYGEMM"},
        "int4_tile_packed_ntile": 8}}}}
json.dump(config, open(os.path.join(ckpt, "config.json"), "w"), indent=2)
shutil.copy(os.path.join(src, "generation_config.json"), ckpt)
print("wrote", len(out), "golden tensors and", ckpt)
