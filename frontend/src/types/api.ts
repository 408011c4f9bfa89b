/** Shapes shared by more than one feature. */
export interface User {
  id: string;
  name?: string | null;
  username: string;
  email: string;
  role?: string;
}

export interface SuccessEnvelope {
  success: true;
  message?: string;
}
