#include "model/vnode/vnode_access.h"

#include <algorithm>

#include "engine/sim/volume.h"

namespace sansim::vnode {
namespace {

// Holds a vnode's behavior head shared for the scope of one operation in its chain.
class HeadHold {
 public:
  explicit HeadHold(Vnode& v) : v_(v) {}
  ~HeadHold() { v_.release_shared(); }
  HeadHold(const HeadHold&) = delete;
  HeadHold& operator=(const HeadHold&) = delete;

 private:
  Vnode& v_;
};

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

}  // namespace

Task<VnodeAccess::Walked> VnodeAccess::walk(std::uint32_t fs, std::string path, bool parent) {
  Walked w;
  std::vector<std::string> parts = components(path);
  if (parent) {
    if (parts.empty()) {
      w.err = Errno::inval;
      co_return w;
    }
    w.leaf = parts.back();
    parts.pop_back();
  }
  Ino cur = xfs::kRootIno;
  for (const std::string& p : parts) {
    Vnode& dir = vnodes_.get(fs, cur);
    co_await dir.head().lock_shared();
    HeadHold hold(dir);
    auto op = in_chain<xfs::Result<Ino>>(dir, [&] { return dir.first().lookup(dir, p); });
    xfs::Result<Ino> r = co_await op;
    if (!r.ok()) {
      w.err = r.err;
      co_return w;
    }
    cur = r.value;
  }
  w.ino = cur;
  co_return w;
}

Task<VnodeAccess::Found> VnodeAccess::find(std::string fs, std::string path, bool parent) {
  Found found;
  const xfs::Result<std::uint32_t> f = co_await mount_of_(fs, true);
  if (!f.ok()) {
    found.err = f.err;
    co_return found;
  }
  Walked w = co_await walk(f.value, std::move(path), parent);
  found.err = w.err;
  if (w.err != Errno::ok) co_return found;
  found.vnode = &vnodes_.get(f.value, w.ino);
  found.leaf = std::move(w.leaf);
  co_return found;
}

Task<Vnode*> VnodeAccess::vnode_of(std::string fs, Ino ino) {
  // A call on an inode found earlier: it works on an unmounted file system too, like a
  // file left open across a lazy unmount.
  const xfs::Result<std::uint32_t> f = co_await mount_of_(fs, false);
  co_return f.ok() ? &vnodes_.get(f.value, ino) : nullptr;
}

Task<xfs::Result<Ino>> VnodeAccess::lookup(std::string fs, std::string path) {
  const Found found = co_await find(std::move(fs), std::move(path), false);
  co_return xfs::Result<Ino>{found.err, found.vnode != nullptr ? found.vnode->ino() : 0};
}

Task<xfs::Result<Ino>> VnodeAccess::make(std::string fs, std::string path, xfs::FileType type) {
  const Found found = co_await find(std::move(fs), std::move(path), true);
  if (found.vnode == nullptr) co_return xfs::Result<Ino>{found.err, 0};
  Vnode& dir = *found.vnode;
  co_await dir.head().lock_shared();
  HeadHold hold(dir);
  auto op = in_chain<xfs::Result<Ino>>(dir, [&] { return dir.first().create(dir, found.leaf, type); });
  xfs::Result<Ino> r = co_await op;
  co_return r;
}

Task<xfs::Result<Ino>> VnodeAccess::create(std::string fs, std::string path) {
  xfs::Result<Ino> r = co_await make(std::move(fs), std::move(path), xfs::FileType::regular);
  co_return r;
}

Task<xfs::Result<Ino>> VnodeAccess::mkdir(std::string fs, std::string path) {
  xfs::Result<Ino> r = co_await make(std::move(fs), std::move(path), xfs::FileType::directory);
  co_return r;
}

Task<Errno> VnodeAccess::unlink(std::string fs, std::string path) {
  const Found found = co_await find(std::move(fs), std::move(path), true);
  if (found.vnode == nullptr) co_return found.err;
  Vnode& dir = *found.vnode;
  co_await dir.head().lock_shared();
  HeadHold hold(dir);
  auto op = in_chain<Errno>(dir, [&] { return dir.first().unlink(dir, found.leaf); });
  const Errno e = co_await op;
  co_return e;
}

Task<Errno> VnodeAccess::rename(std::string fs, std::string from, std::string to) {
  const Found a = co_await find(fs, std::move(from), true);
  if (a.vnode == nullptr) co_return a.err;
  const Found b = co_await find(std::move(fs), std::move(to), true);
  if (b.vnode == nullptr) co_return b.err;
  // The operation enters the chain of the source directory; only its head is held (a
  // second head taken while holding one could wait behind a conversion of it forever).
  Vnode& dir = *a.vnode;
  co_await dir.head().lock_shared();
  HeadHold hold(dir);
  auto op = in_chain<Errno>(dir, [&] { return dir.first().rename(dir, a.leaf, *b.vnode, b.leaf); });
  const Errno e = co_await op;
  co_return e;
}

Task<xfs::Result<Stat>> VnodeAccess::getattr(std::string fs, std::string path) {
  const Found found = co_await find(std::move(fs), std::move(path), false);
  if (found.vnode == nullptr) co_return xfs::Result<Stat>{found.err, {}};
  Vnode& v = *found.vnode;
  co_await v.head().lock_shared();
  HeadHold hold(v);
  auto op = in_chain<xfs::Result<Stat>>(v, [&] { return v.first().getattr(v); });
  xfs::Result<Stat> r = co_await op;
  co_return r;
}

Task<Errno> VnodeAccess::setattr(std::string fs, std::string path, xfs::SetAttr attrs) {
  const Found found = co_await find(std::move(fs), std::move(path), false);
  if (found.vnode == nullptr) co_return found.err;
  Vnode& v = *found.vnode;
  co_await v.head().lock_shared();
  HeadHold hold(v);
  auto op = in_chain<Errno>(v, [&] { return v.first().setattr(v, attrs); });
  const Errno e = co_await op;
  co_return e;
}

Task<Errno> VnodeAccess::truncate(std::string fs, std::string path, std::uint64_t size) {
  const Found found = co_await find(std::move(fs), std::move(path), false);
  if (found.vnode == nullptr) co_return found.err;
  Vnode& v = *found.vnode;
  co_await v.head().lock_shared();
  HeadHold hold(v);
  auto op = in_chain<Errno>(v, [&] { return v.first().truncate(v, size); });
  const Errno e = co_await op;
  co_return e;
}

Task<Errno> VnodeAccess::on_file(std::string fs, Ino ino, Task<Errno> (Behavior::*op)(Vnode&)) {
  Vnode* const found = co_await vnode_of(std::move(fs), ino);
  if (found == nullptr) co_return Errno::io;
  Vnode& v = *found;
  co_await v.head().lock_shared();
  HeadHold hold(v);
  auto task = in_chain<Errno>(v, [&] { return (v.first().*op)(v); });
  const Errno e = co_await task;
  co_return e;
}

Task<Errno> VnodeAccess::open(std::string fs, Ino ino) { return on_file(std::move(fs), ino, &Behavior::open); }

Task<Errno> VnodeAccess::close(std::string fs, Ino ino) { return on_file(std::move(fs), ino, &Behavior::close); }

Task<Errno> VnodeAccess::read(std::string fs, Ino ino, std::uint64_t offset, std::uint64_t length, IoMode mode,
                              Bytes& out) {
  out.clear();
  Vnode* const found = co_await vnode_of(std::move(fs), ino);
  if (found == nullptr) co_return Errno::io;
  Vnode& v = *found;
  if (mode == IoMode::mapped) {
    const Errno e = co_await mapped_read(v, offset, length, out);
    co_return e;
  }
  co_await v.head().lock_shared();
  HeadHold hold(v);
  auto op = in_chain<Errno>(v, [&] { return v.first().read(v, offset, length, mode, out); });
  const Errno e = co_await op;
  co_return e;
}

Task<Errno> VnodeAccess::write(std::string fs, Ino ino, std::uint64_t offset, Bytes data, IoMode mode) {
  Vnode* const found = co_await vnode_of(std::move(fs), ino);
  if (found == nullptr) co_return Errno::io;
  Vnode& v = *found;
  if (mode == IoMode::mapped) {
    const Errno e = co_await mapped_write(v, offset, data);
    co_return e;
  }
  co_await v.head().lock_shared();
  HeadHold hold(v);
  auto op = in_chain<Errno>(v, [&] { return v.first().write(v, offset, data, mode); });
  const Errno e = co_await op;
  co_return e;
}

Task<Errno> VnodeAccess::fsync(std::string fs, Ino ino) { return on_file(std::move(fs), ino, &Behavior::fsync); }

Task<Errno> VnodeAccess::migrate(std::string fs, std::string path, bool release) {
  const Found found = co_await find(std::move(fs), std::move(path), false);
  if (found.vnode == nullptr) co_return found.err;
  Vnode& v = *found.vnode;
  co_await v.head().lock_shared();
  HeadHold hold(v);
  auto op = in_chain<Errno>(v, [&] { return v.first().migrate(v, release); });
  const Errno e = co_await op;
  co_return e;
}

// A load from a mapping touches one page after another; each page not at hand faults.
Task<Errno> VnodeAccess::mapped_read(Vnode& v, std::uint64_t offset, std::uint64_t length, Bytes& out) {
  const std::uint64_t end = offset + length;
  for (std::uint64_t pos = offset; pos < end;) {
    const std::uint64_t page = pos / kBlockSize;
    const std::uint64_t in = pos % kBlockSize;
    Bytes data;
    Errno e = Errno::ok;
    {
      co_await v.head().lock_shared();
      HeadHold hold(v);
      auto op = in_chain<Errno>(v, [&] { return v.first().fault(v, page, false, 0, data); });
      e = co_await op;
    }
    if (e != Errno::ok) co_return e;
    if (data.size() <= in) break;  // past the end of file
    const std::uint64_t n = std::min<std::uint64_t>(data.size() - in, end - pos);
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(in),
               data.begin() + static_cast<std::ptrdiff_t>(in + n));
    if (data.size() < kBlockSize && in + n >= data.size()) break;  // the file ends in this page
    pos += n;
  }
  co_return Errno::ok;
}

Task<Errno> VnodeAccess::mapped_write(Vnode& v, std::uint64_t offset, const Bytes& data) {
  const std::uint64_t end = offset + data.size();
  for (std::uint64_t pos = offset; pos < end;) {
    const std::uint64_t page = pos / kBlockSize;
    const std::uint64_t in = pos % kBlockSize;
    const std::uint64_t n = std::min<std::uint64_t>(kBlockSize - in, end - pos);
    Bytes piece(data.begin() + static_cast<std::ptrdiff_t>(pos - offset),
                data.begin() + static_cast<std::ptrdiff_t>(pos - offset + n));
    Errno e = Errno::ok;
    {
      co_await v.head().lock_shared();
      HeadHold hold(v);
      auto op = in_chain<Errno>(v, [&] { return v.first().fault(v, page, true, in, piece); });
      e = co_await op;
    }
    if (e != Errno::ok) co_return e;
    pos += n;
  }
  co_return Errno::ok;
}

}  // namespace sansim::vnode
