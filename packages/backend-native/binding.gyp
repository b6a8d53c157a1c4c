# Builds build/Release/distillery_native.node from native/*.cc with node-gyp (C N-API, no system library).
# On x86-64 the GEMM kernels for AVX2+FMA and AVX-512F are compiled in their own static libraries, so
# only those translation units get the -m flags; the addon picks one at run time (__builtin_cpu_supports)
# and falls back to the portable kernels, which are all other architectures get.
{
  'target_defaults': {
    'cflags': ['-O3', '-fvisibility=hidden', '-fPIC', '-pthread'],
    'cflags_cc': ['-std=c++17'],
    'cflags!': ['-O2'],
    'cflags_cc!': ['-std=gnu++17', '-std=gnu++20', '-std=c++20'],
    'ldflags': ['-pthread'],
    'xcode_settings': {
      'GCC_OPTIMIZATION_LEVEL': '3',
      'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
      'GCC_SYMBOLS_PRIVATE_EXTERN': 'YES',
      'MACOSX_DEPLOYMENT_TARGET': '10.15',
    },
    'msvs_settings': {
      'VCCLCompilerTool': {'Optimization': 2, 'AdditionalOptions': ['/std:c++17']},
    },
    'conditions': [
      ['target_arch=="x64"', {'defines': ['DN_HAVE_X86_KERNELS=1']}],
    ],
  },
  'targets': [
    {
      'target_name': 'distillery_native',
      'sources': [
        'native/addon.cc',
        'native/conv.cc',
        'native/elementwise_bindings.cc',
        'native/depthwise.cc',
        'native/gemm.cc',
        'native/kernels_generic.cc',
        'native/normalization.cc',
        'native/normalization_bindings.cc',
        'native/pool.cc',
        'native/threadpool.cc',
      ],
      'dependencies': ['dn_elementwise'],
      'conditions': [
        ['target_arch=="x64"', {'dependencies': ['dn_kernels_avx2', 'dn_kernels_avx512']}],
      ],
    },
    {
      # Elementwise loops: -fno-math-errno lets sqrtf vectorise (nothing reads errno); -ffp-contract=off
      # keeps a·b + c two roundings (no FMA), as the composed tensor operations they must equal.
      'target_name': 'dn_elementwise',
      'type': 'static_library',
      'sources': ['native/elementwise.cc', 'native/broadcast.cc'],
      'cflags': ['-fno-math-errno', '-ffp-contract=off'],
      'xcode_settings': {'OTHER_CFLAGS': ['-fno-math-errno', '-ffp-contract=off']},
    },
  ],
  'conditions': [
    ['target_arch=="x64"', {
      'targets': [
        {
          'target_name': 'dn_kernels_avx2',
          'type': 'static_library',
          'sources': ['native/kernels_avx2.cc'],
          'cflags': ['-mavx2', '-mfma'],
          'xcode_settings': {'OTHER_CFLAGS': ['-mavx2', '-mfma']},
          'msvs_settings': {'VCCLCompilerTool': {'AdditionalOptions': ['/arch:AVX2']}},
        },
        {
          'target_name': 'dn_kernels_avx512',
          'type': 'static_library',
          'sources': ['native/kernels_avx512.cc'],
          'cflags': ['-mavx512f', '-mavx2', '-mfma', '-Wno-maybe-uninitialized'],
          'xcode_settings': {'OTHER_CFLAGS': ['-mavx512f', '-mavx2', '-mfma']},
          'msvs_settings': {'VCCLCompilerTool': {'AdditionalOptions': ['/arch:AVX512']}},
        },
      ],
    }],
  ],
}
