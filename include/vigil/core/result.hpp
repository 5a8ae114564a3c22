// Result<T>: a value or a one-line error message, for failures that are expected
// (a file that vanished, a kernel without a feature, bad user input).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace vigil {

struct Error {
    std::string message;  // one line, no trailing newline, names the bad value
};

template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

inline Error make_error(std::string message) {
    return Error{std::move(message)};
}

}  // namespace vigil
