{
  # The optional native addon: oneDNN (convolutions) + OpenBLAS (GEMM) kernels for the `native`
  # TensorFlow.js backend. Built by scripts/build-native.mjs (npm install); see README.
  "variables": {
    "blas_libs%": "-lopenblas",
    "contrastive_asan%": 0,
  },
  "targets": [
    {
      "target_name": "contrastive_native",
      "sources": [
        "native/addon.cc",
        "native/batchnorm.cc",
        "native/conv.cc",
        "native/elementwise.cc",
        "native/gemm.cc",
        "native/peak.cc",
        "native/pool.cc",
        "native/reduce.cc",
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fopenmp", "-Wall", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "libraries": ["-ldnnl", "<(blas_libs)", "-fopenmp"],
      "conditions": [
        ["contrastive_asan==1", {
          "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-O1", "-g"],
          "ldflags": ["-fsanitize=address"],
        }],
        ["OS=='mac'", {
          "include_dirs": ["/opt/homebrew/opt/onednn/include", "/opt/homebrew/opt/openblas/include",
                           "/usr/local/opt/onednn/include", "/usr/local/opt/openblas/include"],
          "libraries": ["-L/opt/homebrew/opt/onednn/lib", "-L/opt/homebrew/opt/openblas/lib",
                        "-L/usr/local/opt/onednn/lib", "-L/usr/local/opt/openblas/lib"],
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CPLUSPLUSFLAGS": ["-O3"],
          },
        }],
      ],
    },
  ],
}
