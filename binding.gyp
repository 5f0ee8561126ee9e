{
  # The optional native addon: oneDNN (convolutions) + OpenBLAS (GEMM) kernels for the `native`
  # TensorFlow.js backend. Built by scripts/build-native.mjs (npm install); see README.
  #
  # Portable: nothing is built with -march=native. oneDNN and OpenBLAS choose their instruction
  # set at run time. The addon's own loops (element-wise, BatchNorm, pooling, reductions) are
  # built twice on x86-64: contrastive_native for the baseline (SSE2), contrastive_native_avx2
  # with AVX2 + FMA (about 10% faster steps here); src/node/native/addon.ts loads the AVX2 build
  # only on a CPU that has both.
  "variables": {
    "blas_libs%": "-lopenblas",
    "contrastive_asan%": 0,
  },
  "target_defaults": {
    "sources": [
      "native/addon.cc",
      "native/batchnorm.cc",
      "native/channel.cc",
      "native/clip.cc",
      "native/conv.cc",
      "native/elementwise.cc",
      "native/gemm.cc",
      "native/gru.cc",
      "native/lstm.cc",
      "native/peak.cc",
      "native/pool.cc",
      "native/reduce.cc",
    ],
    "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
    "cflags_cc": ["-std=c++17", "-O3", "-Wall", "-Wno-unused-parameter"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
    "libraries": ["-ldnnl", "<(blas_libs)"],
    "conditions": [
      # OpenMP: GCC's -fopenmp on Linux; Apple clang needs Homebrew's libomp (-Xpreprocessor).
      # Without OpenMP, native/omp_compat.h makes the addon single-threaded instead of failing.
      ["OS=='linux'", {
        "cflags_cc": ["-fopenmp"],
        "libraries": ["-fopenmp"],
      }],
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
        "conditions": [
          ["<!(node -p \"require('fs').existsSync('/opt/homebrew/opt/libomp/include/omp.h') || require('fs').existsSync('/usr/local/opt/libomp/include/omp.h')\")=='true'", {
            "include_dirs": ["/opt/homebrew/opt/libomp/include", "/usr/local/opt/libomp/include"],
            "libraries": ["-L/opt/homebrew/opt/libomp/lib", "-L/usr/local/opt/libomp/lib", "-lomp"],
            "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-Xpreprocessor", "-fopenmp"] },
          }],
        ],
      }],
    ],
  },
  "targets": [
    { "target_name": "contrastive_native" },
  ],
  "conditions": [
    ["target_arch=='x64' and contrastive_asan==0", {
      "targets": [
        {
          "target_name": "contrastive_native_avx2",
          "cflags_cc": ["-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"] },
        },
      ],
    }],
  ],
}
