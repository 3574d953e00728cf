#include "model/app/process.h"

#include <stdexcept>
#include <utility>

#include "model/app/stamp.h"

namespace sansim::app {
namespace {

constexpr int kCountBits = 36;
constexpr int kIncarnationBits = 14;

std::string full_path(const CallSpec& c, const std::string& path) { return "/" + c.fs + path; }

}  // namespace

OpIds::OpIds(NodeId node, std::uint32_t incarnation)
    : base_(static_cast<std::int64_t>(node + 1ull) << (kCountBits + kIncarnationBits) |
            static_cast<std::int64_t>(incarnation & ((1u << kIncarnationBits) - 1)) << kCountBits) {
  // Nodes are at most 4096 (the loader's limit), so the node part stays below bit 63.
  if (node >= 8191) throw std::logic_error("OpIds: node id " + std::to_string(node) + " does not fit");
}

std::int64_t OpIds::next() {
  if (count_ >= (std::int64_t{1} << kCountBits)) throw std::logic_error("OpIds: a node ran out of call ids");
  return base_ | count_++;
}

Process::Process(Simulation& sim, NodeId node, vnode::FileAccess& files, std::int64_t proc, OpIds& ids)
    : sim_(sim), node_(node), files_(files), proc_(proc), ids_(ids) {}

void Process::invoke(std::int64_t op, const CallSpec& c, std::vector<Field> extra) {
  std::vector<Field> f{{"proc", proc_}, {"op", op}, {"call", std::string(to_string(c.call))}, {"path", full_path(c, c.path)}};
  for (Field& e : extra) f.push_back(std::move(e));
  sim_.observe(node_, "app.invoke", std::move(f));
}

void Process::complete(std::int64_t op, Call call, xfs::Errno result, std::vector<Field> extra) {
  std::vector<Field> f{{"proc", proc_}, {"op", op}, {"call", std::string(to_string(call))}, {"result", std::string(xfs::to_string(result))}};
  for (Field& e : extra) f.push_back(std::move(e));
  sim_.observe(node_, "app.complete", std::move(f));
}

Task<xfs::Errno> Process::call(CallSpec c) {
  if (c.call == Call::read || c.call == Call::write) {
    const xfs::Errno e = co_await data_call(std::move(c));
    co_return e;
  }
  if (c.call == Call::fsync) {
    const xfs::Errno e = co_await fsync_call(std::move(c));
    co_return e;
  }
  const xfs::Errno e = co_await name_call(std::move(c));
  co_return e;
}

Task<xfs::Errno> Process::data_call(CallSpec c) {
  const std::uint64_t first = c.offset / kBlockSize;
  const std::uint64_t count = c.length / kBlockSize;
  if (c.offset % kBlockSize != 0 || c.length % kBlockSize != 0 || count == 0)
    throw std::logic_error("a read or write must cover whole blocks (offset " + std::to_string(c.offset) +
                           ", length " + std::to_string(c.length) + ")");
  const bool write = c.call == Call::write;

  const xfs::Result<xfs::Ino> found = co_await files_.lookup(c.fs, c.path);
  xfs::Errno err = found.err;
  const xfs::Ino ino = found.ok() ? found.value : xfs::kNoIno;
  if (err == xfs::Errno::ok) {
    const xfs::Errno opened = co_await files_.open(c.fs, ino);
    err = opened;
  }
  const bool is_open = found.ok() && err == xfs::Errno::ok;

  std::vector<Field> extra{{"mode", std::string(mode_name(c.mode))},
                           {"ino", static_cast<std::int64_t>(ino)},
                           {"block", static_cast<std::int64_t>(first)},
                           {"blocks", static_cast<std::int64_t>(count)}};
  const std::int64_t op = ids_.next();
  if (write) extra.push_back({"value", std::vector<std::int64_t>(count, op)});
  invoke(op, c, std::move(extra));
  if (!is_open) {
    complete(op, c.call, err);
    co_return err;
  }
  if (write) {
    Bytes data = stamped_blocks(op, first, count);
    const xfs::Errno wrote = co_await files_.write(c.fs, ino, c.offset, std::move(data), c.mode);
    complete(op, c.call, wrote);
    err = wrote;
  } else {
    Bytes out;
    const xfs::Errno got = co_await files_.read(c.fs, ino, c.offset, c.length, c.mode, out);
    if (got == xfs::Errno::ok) complete(op, c.call, got, {{"value", read_stamps(out, first, count)}});
    else complete(op, c.call, got);
    err = got;
  }
  const xfs::Errno closed = co_await files_.close(c.fs, ino);
  (void)closed;  // the call's outcome is already recorded; a failed close changes nothing of it
  co_return err;
}

Task<xfs::Errno> Process::fsync_call(CallSpec c) {
  const xfs::Result<xfs::Ino> found = co_await files_.lookup(c.fs, c.path);
  xfs::Errno err = found.err;
  const xfs::Ino ino = found.ok() ? found.value : xfs::kNoIno;
  if (err == xfs::Errno::ok) {
    const xfs::Errno opened = co_await files_.open(c.fs, ino);
    err = opened;
  }
  const std::int64_t op = ids_.next();
  invoke(op, c, {{"ino", static_cast<std::int64_t>(ino)}});
  if (!found.ok() || err != xfs::Errno::ok) {
    complete(op, c.call, err);
    co_return err;
  }
  const xfs::Errno synced = co_await files_.fsync(c.fs, ino);
  complete(op, c.call, synced);
  const xfs::Errno closed = co_await files_.close(c.fs, ino);
  (void)closed;
  co_return synced;
}

Task<xfs::Errno> Process::name_call(CallSpec c) {
  using xfs::Errno;
  switch (c.call) {
    case Call::create:
    case Call::mkdir:
    case Call::lookup: {
      const std::int64_t op = ids_.next();
      invoke(op, c, {});
      xfs::Result<xfs::Ino> r;
      if (c.call == Call::create) r = co_await files_.create(c.fs, c.path);
      else if (c.call == Call::mkdir) r = co_await files_.mkdir(c.fs, c.path);
      else r = co_await files_.lookup(c.fs, c.path);
      // A create that failed to commit (EIO) may still have made the file, whose inode
      // the server names: the history keeps it, so checkers know the number is reused.
      if (r.value != 0) complete(op, c.call, r.err, {{"ino", static_cast<std::int64_t>(r.value)}});
      else complete(op, c.call, r.err);
      co_return r.err;
    }
    case Call::unlink: {
      const std::int64_t op = ids_.next();
      invoke(op, c, {});
      const Errno e = co_await files_.unlink(c.fs, c.path);
      complete(op, c.call, e);
      co_return e;
    }
    case Call::rename: {
      const std::int64_t op = ids_.next();
      invoke(op, c, {{"to", full_path(c, c.path2)}});
      const Errno e = co_await files_.rename(c.fs, c.path, c.path2);
      complete(op, c.call, e);
      co_return e;
    }
    case Call::stat: {
      const std::int64_t op = ids_.next();
      invoke(op, c, {});
      const xfs::Result<vnode::Stat> r = co_await files_.getattr(c.fs, c.path);
      if (r.ok())
        complete(op, c.call, r.err,
                 {{"size", static_cast<std::int64_t>(r.value.size)},
                  {"mtime", r.value.mtime},
                  {"ino", static_cast<std::int64_t>(r.value.ino)}});
      else complete(op, c.call, r.err);
      co_return r.err;
    }
    case Call::truncate: {
      // The inode is recorded so that a checker can zero its blocks past the new size;
      // truncate itself goes by path, as the caller asked.
      const xfs::Result<xfs::Ino> found = co_await files_.lookup(c.fs, c.path);
      const std::int64_t op = ids_.next();
      invoke(op, c,
             {{"size", static_cast<std::int64_t>(c.size)},
              {"ino", static_cast<std::int64_t>(found.ok() ? found.value : xfs::kNoIno)}});
      const Errno e = co_await files_.truncate(c.fs, c.path, c.size);
      complete(op, c.call, e);
      co_return e;
    }
    case Call::setattr: {
      std::vector<Field> extra;
      if (c.attrs.atime) extra.push_back({"atime", *c.attrs.atime});
      if (c.attrs.mtime) extra.push_back({"mtime", *c.attrs.mtime});
      if (c.attrs.size) extra.push_back({"size", static_cast<std::int64_t>(*c.attrs.size)});
      const std::int64_t op = ids_.next();
      invoke(op, c, std::move(extra));
      const Errno e = co_await files_.setattr(c.fs, c.path, c.attrs);
      complete(op, c.call, e);
      co_return e;
    }
    case Call::migrate: {
      const std::int64_t op = ids_.next();
      invoke(op, c, {{"release", std::int64_t(c.release ? 1 : 0)}});
      const Errno e = co_await files_.migrate(c.fs, c.path, c.release);
      complete(op, c.call, e);
      co_return e;
    }
    case Call::read:
    case Call::write:
    case Call::fsync:
      break;
  }
  throw std::logic_error(std::string("Process::name_call cannot make a ") + to_string(c.call));
}

}  // namespace sansim::app
