#include "model/dmapi/dmapi_behavior.h"

namespace sansim::dmapi {

// Each operation is a coroutine so that the attempt's captures (its parameters) live in
// its frame for as long as the hand-off may call it again.

Task<xfs::Result<Ino>> DmapiBehavior::lookup(vnode::Vnode& dir, std::string name) {
  auto op = handed<xfs::Result<Ino>>(dir, [&] { return next(dir).lookup(dir, name); });
  co_return co_await op;
}

Task<xfs::Result<Ino>> DmapiBehavior::create(vnode::Vnode& dir, std::string name, xfs::FileType type) {
  auto op = handed<xfs::Result<Ino>>(dir, [&] { return next(dir).create(dir, name, type); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::unlink(vnode::Vnode& dir, std::string name) {
  auto op = handed<Errno>(dir, [&] { return next(dir).unlink(dir, name); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::rename(vnode::Vnode& dir, std::string name, vnode::Vnode& to_dir, std::string to_name) {
  auto op = handed<Errno>(dir, [&] { return next(dir).rename(dir, name, to_dir, to_name); });
  co_return co_await op;
}

Task<xfs::Result<Stat>> DmapiBehavior::getattr(vnode::Vnode& v) {
  auto op = handed<xfs::Result<Stat>>(v, [&] { return next(v).getattr(v); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::setattr(vnode::Vnode& v, xfs::SetAttr attrs) {
  auto op = handed<Errno>(v, [&] { return next(v).setattr(v, attrs); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::truncate(vnode::Vnode& v, std::uint64_t size) {
  auto op = handed<Errno>(v, [&] { return next(v).truncate(v, size); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::open(vnode::Vnode& v) {
  auto op = handed<Errno>(v, [&] { return next(v).open(v); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::close(vnode::Vnode& v) {
  auto op = handed<Errno>(v, [&] { return next(v).close(v); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::read(vnode::Vnode& v, std::uint64_t offset, std::uint64_t length, IoMode mode,
                                Bytes& out) {
  auto op = handed<Errno>(v, [&] { return next(v).read(v, offset, length, mode, out); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::write(vnode::Vnode& v, std::uint64_t offset, Bytes data, IoMode mode) {
  auto op = handed<Errno>(v, [&] { return next(v).write(v, offset, data, mode); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::fsync(vnode::Vnode& v) {
  auto op = handed<Errno>(v, [&] { return next(v).fsync(v); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::fault(vnode::Vnode& v, std::uint64_t page, bool store, std::uint64_t in_page,
                                 Bytes& data) {
  auto op = handed<Errno>(v, [&] { return next(v).fault(v, page, store, in_page, data); });
  co_return co_await op;
}

Task<Errno> DmapiBehavior::migrate(vnode::Vnode& v, bool release) {
  auto op = handed<Errno>(v, [&] { return next(v).migrate(v, release); });
  co_return co_await op;
}

}  // namespace sansim::dmapi
