package dev.quant4j.safetensors;

import dev.quant4j.error.CheckpointIoException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Temporary file, force, rename, folder sync: the steps that make a file replacement atomic. */
final class AtomicFiles {
  private AtomicFiles() {}

  /** Refuses a target that is a folder or a symlink, or whose folder is missing. */
  static void checkTarget(Path target) {
    if (Files.isSymbolicLink(target)) {
      throw new CheckpointIoException(
          target, "target is a symbolic link; refusing to write through it", null);
    }
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new CheckpointIoException(target, "target is a directory, expected a file path", null);
    }
    checkTargetFolder(target.toAbsolutePath().getParent());
  }

  static void checkTargetFolder(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CheckpointIoException(dir, "target folder does not exist", null);
    }
  }

  /** An empty file next to {@code target}, hidden and recognisably temporary. */
  static Path createTemporary(Path target) {
    Path dir = target.toAbsolutePath().getParent();
    try {
      return Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    } catch (AccessDeniedException e) {
      throw new CheckpointIoException(dir, "target folder is not writable", null);
    } catch (IOException e) {
      throw new CheckpointIoException(dir, "cannot create a temporary file", e);
    }
  }

  /** A forced temporary file holding {@code bytes}. */
  static Path writeTemporary(Path target, byte[] bytes) {
    checkTarget(target);
    Path tmp = createTemporary(target);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(true);
      return tmp;
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new CheckpointIoException(target, "cannot write", e);
    }
  }

  /** Renames {@code tmp} over {@code target} atomically, then syncs the folder. */
  static void publish(Path tmp, Path target) {
    checkTarget(target);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new CheckpointIoException(target, "cannot rename the written file into place", e);
    }
    syncFolder(target.toAbsolutePath().getParent());
  }

  /**
   * Makes the rename durable. Some platforms cannot open a folder for sync (Windows); there the
   * rename is as durable as the file system makes it, and that is not an error.
   */
  static void syncFolder(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // best effort, see above
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // Nothing better to do: the original error (if any) is the one to report.
    }
  }
}
