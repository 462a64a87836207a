/**
 * optimum-quanto ({@code quant_method: quanto}): the typed {@code QuantoConfig},
 * qint8/qint4/qint2/qfloat8 weight quantization and static qint8/qfloat8 activation quantization as
 * quanto computes them, its checkpoint format ({@code weight._data}, {@code weight._scale}, {@code
 * weight._shift}, {@code quanto_qmap.json}) and the repacking into the shared kernel layouts.
 * Depends on {@code dev.quant4j.quantization}, {@code dev.quant4j.tensor}, {@code
 * dev.quant4j.dtype}, {@code dev.quant4j.json}, {@code dev.quant4j.kernels}, {@code
 * dev.quant4j.error} and Jackson's tree model.
 */
package dev.quant4j.quantizers.quanto;
