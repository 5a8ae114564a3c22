// zstd streaming contexts, owned. Samples of one key group share one zstd frame, flushed at
// each sample: a delta compresses against the samples before it (its counters and names
// repeat), and every flushed sample can be decompressed as soon as it is on disk.
#pragma once

#include <zstd.h>

#include <memory>
#include <string>
#include <string_view>

namespace vigil {

class ZstdCompressor {
  public:
    explicit ZstdCompressor(int level) : ctx_(ZSTD_createCCtx()) {
        if (!ctx_) throw std::bad_alloc();
        ZSTD_CCtx_setParameter(ctx_.get(), ZSTD_c_compressionLevel, level);
        // 4 MiB of history: a key sample of ten thousand tasks and the deltas after it.
        ZSTD_CCtx_setParameter(ctx_.get(), ZSTD_c_windowLog, 22);
    }
    // A new zstd frame: what follows decompresses without anything before it.
    void restart() { ZSTD_CCtx_reset(ctx_.get(), ZSTD_reset_session_only); }
    // Compresses in and flushes, appending to out. False on a zstd error.
    bool flush(std::string_view in, std::string& out) {
        ZSTD_inBuffer input{in.data(), in.size(), 0};
        for (;;) {
            const std::size_t start = out.size();
            out.resize(start + ZSTD_CStreamOutSize());
            ZSTD_outBuffer output{out.data() + start, out.size() - start, 0};
            const std::size_t left =
                ZSTD_compressStream2(ctx_.get(), &output, &input, ZSTD_e_flush);
            out.resize(start + output.pos);
            if (ZSTD_isError(left)) return false;
            if (left == 0) return true;
        }
    }

  private:
    struct Free {
        void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
    };
    std::unique_ptr<ZSTD_CCtx, Free> ctx_;
};

class ZstdDecompressor {
  public:
    ZstdDecompressor() : ctx_(ZSTD_createDCtx()) {
        if (!ctx_) throw std::bad_alloc();
        ZSTD_DCtx_setParameter(ctx_.get(), ZSTD_d_windowLogMax, 24);
    }
    void restart() { ZSTD_DCtx_reset(ctx_.get(), ZSTD_reset_session_only); }
    // Decompresses all of in (one flushed sample), replacing out. False with a reason on a
    // zstd error or past max bytes.
    bool take(std::string_view in, std::string& out, std::size_t max, std::string& error) {
        out.clear();
        ZSTD_inBuffer input{in.data(), in.size(), 0};
        for (;;) {
            const std::size_t start = out.size();
            out.resize(start + ZSTD_DStreamOutSize());
            ZSTD_outBuffer output{out.data() + start, out.size() - start, 0};
            const std::size_t in_before = input.pos;
            const std::size_t r = ZSTD_decompressStream(ctx_.get(), &output, &input);
            out.resize(start + output.pos);
            if (ZSTD_isError(r)) {
                error = std::string("compressed data is damaged (") + ZSTD_getErrorName(r) + ")";
                return false;
            }
            if (out.size() > max) {
                error = "a sample decompresses to more than the format allows";
                return false;
            }
            // Done when the input is used up and the output buffer was not filled (so
            // nothing is left inside zstd).
            if (input.pos == input.size && output.pos < output.size) return true;
            if (input.pos == in_before && output.pos == 0) {
                error = "compressed data ends in the middle of a block";
                return false;
            }
        }
    }

  private:
    struct Free {
        void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
    };
    std::unique_ptr<ZSTD_DCtx, Free> ctx_;
};

}  // namespace vigil
