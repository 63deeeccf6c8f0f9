# Sourced by convert_real_models.sh and accuracy_table.sh: the three real
# models (scripts/fetch_models.sh) and the calibration arguments their tests
# use (tests/converter_quant/real_models_test.cc), one entry each:
#   name|ONNX file in build/models|dyad-convert calibration and input arguments
REAL_MODELS=(
  "blazeface|blazeface_front_128.onnx|--calib data/images --calib-windows 8 --calib-count 24 --input-mean 127.5 --input-std 127.5"
  "ppocr_cls|ppocr_mobile_v2_cls.onnx|--calib data/text_lines/calib --calib-count 48 --input-shape x:1x3x48x192 --input-mean 127.5 --input-std 127.5"
  "mlsd_tiny|mlsd_320_tiny.onnx|--calib data/images --calib-count 6"
)

# The held-out data of a model's tests (PPOCR: text lines of another
# document; the others: photographs outside the calibration set).
real_model_eval_args() {
  case "$1" in
    ppocr_cls) echo "--eval data/text_lines/heldout --eval-count 48" ;;
    *) echo "--eval data/test_images" ;;
  esac
}
